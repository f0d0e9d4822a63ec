import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { Metadata, Server, ServerCredentials, type ServerDuplexStream } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DeadlineExceededError,
  type DriverError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  UnavailableError,
  UnknownError,
} from "../../core/errors.ts";
import type { JsonValue } from "../../core/value.ts";
import {
  FakeTarget,
  FOREVER_LIMIT,
  POWER,
  ROOT,
  SERIAL,
} from "../../exporter/grpc/__fixtures__/fake-target.ts";
import { type ServedSession, serveSession } from "../../exporter/grpc/server.ts";
import {
  FrameType,
  RouterServiceService,
  type StreamResponse,
} from "../../protocol/gen/jumpstarter/v1/router.ts";
import { GrpcTransport } from "./grpc-transport.ts";

/** Reads a duplex to its end. */
async function readAll(stream: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes `data` in chunks, waiting for drain whenever write() says so, then ends. */
async function writeAll(stream: Duplex, data: Buffer, chunkSize: number): Promise<void> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    if (!stream.write(data.subarray(offset, offset + chunkSize))) {
      await new Promise((resolve) => stream.once("drain", resolve));
    }
  }
  stream.end();
}

const errorClasses = [
  ["NOT_FOUND", NotFoundError],
  ["UNIMPLEMENTED", NotImplementedError],
  ["INVALID_ARGUMENT", InvalidArgumentError],
  ["DEADLINE_EXCEEDED", DeadlineExceededError],
  ["UNAVAILABLE", UnavailableError],
  ["INTERNAL", InternalError],
  ["UNKNOWN", UnknownError],
  ["FAILED_PRECONDITION", FailedPreconditionError],
] as const;

describe.each([
  ["a unix socket", (dir: string) => join(dir, "session.sock")],
  ["TCP on 127.0.0.1", () => "127.0.0.1:0"],
])("GrpcTransport over %s", (_name, listenAt) => {
  let dir: string;
  let target: FakeTarget;
  let served: ServedSession;
  let transport: GrpcTransport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dutkit-grpc-"));
    target = new FakeTarget();
    served = await serveSession(target, { listen: listenAt(dir) });
    transport = await GrpcTransport.connect(served.address);
  });

  afterAll(async () => {
    await transport?.close();
    await served?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports the driver tree with parents, labels and descriptions", async () => {
    expect(await transport.report()).toEqual(await target.report());
  });

  it("round-trips JSON values: nested objects, null, doubles, unicode", async () => {
    const args: JsonValue[] = [
      { nested: { list: [1, "two", null, true, { deep: [] }], empty: {} } },
      null,
      0,
      -1.5,
      2 ** 53,
      1e-300,
      "héllo wörld ✓ 𝄞 日本",
      "",
      [],
      false,
    ];
    expect(await transport.call(POWER, "echo", args)).toEqual(args);
  });

  it("returns null for a method that returns nothing", async () => {
    expect(await transport.call(POWER, "nothing", [])).toBeNull();
  });

  it.each(errorClasses)("delivers %s as %o with its message", async (status, cls) => {
    const error = await transport.call(POWER, "fail", [status]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(cls);
    expect((error as DriverError).message).toBe(`it failed with ${status}: ünïcødé ✓`);
  });

  it("delivers a plain Error thrown by the target as UnknownError", async () => {
    const error = await transport.call(POWER, "crash", []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownError);
    expect((error as Error).message).toBe("a plain failure");
  });

  it("delivers an unknown driver as NotFoundError", async () => {
    await expect(transport.call(ROOT, "echo", [])).rejects.toThrow(NotFoundError);
  });

  it("refuses arguments that are not JSON values (the exporter's session checks them)", async () => {
    await expect(transport.call(POWER, "echo", [Number.NaN])).rejects.toThrow(InvalidArgumentError);
  });

  it("streams items in order", async () => {
    const items: JsonValue[] = [];
    for await (const item of transport.streamingCall(POWER, "count", [5])) items.push(item);
    expect(items).toEqual([0, 1, 2, 3, 4]);
  });

  it("stops the exporter's iteration when the client breaks early", async () => {
    const indexes: JsonValue[] = [];
    for await (const item of transport.streamingCall(POWER, "forever", [])) {
      indexes.push((item as { index: number }).index);
      if (indexes.length === 3) break;
    }
    expect(indexes).toEqual([0, 1, 2]);
    expect(await target.foreverStopped.promise).toBeLessThan(FOREVER_LIMIT);
  });

  it("delivers the items before a stream's error, then the typed error", async () => {
    const items: JsonValue[] = [];
    const error = await (async () => {
      for await (const item of transport.streamingCall(POWER, "fail-after-one", [])) items.push(item);
    })().catch((e: unknown) => e);
    expect(items).toEqual(["first"]);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe("the second item is invalid");
  });

  it("round-trips 1 MiB through a byte stream", async () => {
    const data = randomBytes(1024 * 1024);
    const stream = await transport.byteStream(SERIAL, "echo");
    const [echoed] = await Promise.all([readAll(stream), writeAll(stream, data, 64 * 1024)]);
    expect(echoed.length).toBe(data.length);
    expect(echoed.equals(data)).toBe(true);
  });

  it("applies backpressure: writes wait while the driver takes nothing in", async () => {
    const stream = await transport.byteStream(SERIAL, "held");
    const chunk = Buffer.alloc(16 * 1024, 7);
    let written = 0;
    while (written < 1024 * 1024 && stream.write(chunk)) written += chunk.length;
    expect(written).toBeLessThan(1024 * 1024);
    target.releaseHeld.resolve();
    const rest = Buffer.alloc(1024 * 1024 - written - chunk.length, 7);
    const [reply] = await Promise.all([readAll(stream), writeAll(stream, rest, 16 * 1024)]);
    expect(reply.toString()).toBe(`held ${1024 * 1024}`);
  });

  it("half-closes on end(): the driver sees the end of input and can still answer", async () => {
    const stream = await transport.byteStream(SERIAL, "count");
    const [reply] = await Promise.all([readAll(stream), writeAll(stream, Buffer.from("12345"), 2)]);
    expect(reply.toString()).toBe("received 5");
  });

  it("ends the readable side when the driver's output ends (GOAWAY from the exporter)", async () => {
    const stream = await transport.byteStream(SERIAL, "greet");
    expect((await readAll(stream)).toString()).toBe("hello");
    stream.end();
    await new Promise((resolve) => stream.once("close", resolve));
  });

  it("destroys the driver's duplex when the client destroys the stream", async () => {
    const stream = await transport.byteStream(SERIAL, "echo");
    stream.write("ping");
    await new Promise((resolve) => stream.once("data", resolve));
    const echoClosed = once(target.events, "echo-closed");
    stream.destroy();
    await echoClosed;
  });

  it("rejects a byte stream to a missing method with NotFoundError", async () => {
    await expect(transport.byteStream(SERIAL, "nope")).rejects.toThrow(NotFoundError);
  });
});

describe("GrpcTransport byte streams against a hand-written exporter", () => {
  let dir: string;
  let server: Server;
  let transport: GrpcTransport;
  /**
   * What the exporter sends on each stream: frames, then whether it ends the call; `held` gets
   * the call, which the exporter then never reads.
   */
  let script: {
    frames: StreamResponse[];
    endCall: boolean;
    held?: (call: ServerDuplexStream<unknown, StreamResponse>) => void;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dutkit-frames-"));
    server = new Server();
    server.addService(RouterServiceService, {
      stream(call: ServerDuplexStream<unknown, StreamResponse>) {
        call.sendMetadata(new Metadata());
        for (const frame of script.frames) call.write(frame);
        if (script.endCall) call.end();
        script.held?.(call);
      },
    });
    const path = join(dir, "frames.sock");
    await new Promise<number>((resolve, reject) =>
      server.bindAsync(`unix:${path}`, ServerCredentials.createInsecure(), (e, port) =>
        e ? reject(e) : resolve(port),
      ),
    );
    transport = await GrpcTransport.connect(path);
  });

  afterAll(async () => {
    await transport?.close();
    server?.forceShutdown();
    await rm(dir, { recursive: true, force: true });
  });

  const frame = (frameType: FrameType, payload = "") => ({ frameType, payload: Buffer.from(payload) });

  it("skips PING and ends the readable side when the call ends without GOAWAY", async () => {
    script = {
      frames: [
        frame(FrameType.FRAME_TYPE_PING),
        frame(FrameType.FRAME_TYPE_DATA, "a"),
        frame(FrameType.FRAME_TYPE_DATA, "b"),
      ],
      endCall: true,
    };
    const stream = await transport.byteStream(SERIAL, "connect");
    expect((await readAll(stream)).toString()).toBe("ab");
  });

  it("fails a write that waits for the exporter to take more once the exporter ends the call", async () => {
    let endCall: (() => void) | undefined;
    script = { frames: [], endCall: false, held: (call) => (endCall = () => call.end()) };
    const stream = await transport.byteStream(SERIAL, "connect");
    stream.resume();
    const failed = new Promise<unknown>((resolve) => stream.once("error", resolve));
    const chunk = Buffer.alloc(64 * 1024, 1);
    let writes = 0;
    while (writes < 2000 && stream.write(chunk)) writes++;
    expect(writes, "the exporter's window filled up").toBeLessThan(2000);
    endCall!();
    let timer: NodeJS.Timeout | undefined;
    const error = await Promise.race([
      failed,
      new Promise((resolve) => {
        timer = setTimeout(
          () => resolve("the pending write was still waiting 10 s after the call ended"),
          10_000,
        );
      }),
    ]);
    clearTimeout(timer);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/closed the byte stream/);
  }, 20_000);

  it("fails the stream with UnavailableError on RST_STREAM", async () => {
    script = {
      frames: [frame(FrameType.FRAME_TYPE_DATA, "a"), frame(FrameType.FRAME_TYPE_RST_STREAM)],
      endCall: false,
    };
    const stream = await transport.byteStream(SERIAL, "connect");
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(String(chunk));
    })().catch((e: unknown) => e);
    expect(chunks).toEqual(["a"]);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/reset the byte stream/);
  });
});
