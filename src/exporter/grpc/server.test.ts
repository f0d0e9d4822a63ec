import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { Client, credentials, status as GrpcCode, Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExporterUnreachableError, PassphraseRejectedError } from "../../client/grpc/errors.ts";
import { GrpcTransport } from "../../client/grpc/grpc-transport.ts";
import { FailedPreconditionError } from "../../core/errors.ts";
import { ExporterServiceClient } from "../../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import {
  FrameType,
  RouterServiceClient,
  type StreamResponse,
} from "../../protocol/gen/jumpstarter/v1/router.ts";
import { FakeTarget, POWER, SERIAL } from "./__fixtures__/fake-target.ts";
import { type ServedSession, serveSession } from "./server.ts";
import { SessionStatus } from "./session-status.ts";

let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-serve-"));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let sockets = 0;
const socketPath = () => join(dir, `s${++sockets}.sock`);

async function serve(options: Partial<Parameters<typeof serveSession>[1]> = {}): Promise<ServedSession> {
  const served = await serveSession(new FakeTarget(), { listen: socketPath(), ...options });
  cleanups.push(() => served.close());
  return served;
}

async function connect(address: string, options?: Parameters<typeof GrpcTransport.connect>[1]) {
  const transport = await GrpcTransport.connect(address, options);
  cleanups.push(() => transport.close());
  return transport;
}

function rawExporterClient(address: string): ExporterServiceClient {
  const client = new ExporterServiceClient(`unix:${address}`, credentials.createInsecure());
  cleanups.push(() => client.close());
  return client;
}

function rawRouterClient(address: string): RouterServiceClient {
  const client = new RouterServiceClient(`unix:${address}`, credentials.createInsecure());
  cleanups.push(() => client.close());
  return client;
}

/** The status a raw byte-stream call ends with. */
function streamStatus(client: RouterServiceClient, request: string | undefined) {
  const metadata = new Metadata();
  if (request !== undefined) metadata.set("request", request);
  const call = client.stream(metadata);
  return new Promise<{ code: number; details: string }>((resolve) => {
    call.on("error", () => {});
    call.on("status", resolve);
    call.end();
  });
}

describe("serveSession: malformed requests", () => {
  it("answers a DriverCall without uuid or method with INVALID_ARGUMENT and keeps serving", async () => {
    const served = await serve();
    const raw = rawExporterClient(served.address);
    const call = (uuid: string, method: string) =>
      new Promise<ServiceError | null>((resolve) => {
        raw.driverCall({ uuid, method, args: [] }, (error) => resolve(error));
      });
    const noUuid = await call("", "echo");
    expect(noUuid?.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(noUuid?.details).toMatch(/no driver uuid/);
    expect((await call(POWER, ""))?.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(await call(POWER, "echo")).toBeNull();
  });

  it("answers an argument with no value kind set with INVALID_ARGUMENT", async () => {
    const served = await serve();
    const raw = new Client(`unix:${served.address}`, credentials.createInsecure());
    cleanups.push(() => raw.close());
    // uuid (1), method (2) and one args entry (3) that is an empty google.protobuf.Value.
    const request = new BinaryWriter()
      .uint32(10)
      .string(POWER)
      .uint32(18)
      .string("echo")
      .uint32(26)
      .bytes(new Uint8Array());
    const error = await new Promise<ServiceError | null>((resolve) => {
      raw.makeUnaryRequest(
        "/jumpstarter.v1.ExporterService/DriverCall",
        (bytes: Uint8Array) => Buffer.from(bytes),
        (bytes: Buffer) => bytes,
        request.finish(),
        (e) => resolve(e),
      );
    });
    expect(error?.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/argument 0 is undefined/);
  });

  it("answers byte streams without or with bad request metadata with INVALID_ARGUMENT", async () => {
    const raw = rawRouterClient((await serve()).address);
    expect((await streamStatus(raw, undefined)).code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect((await streamStatus(raw, "{not json")).code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect((await streamStatus(raw, JSON.stringify({ kind: "driver", uuid: SERIAL }))).code).toBe(
      GrpcCode.INVALID_ARGUMENT,
    );
  });

  it("answers resource streams for an unknown driver with NOT_FOUND", async () => {
    const raw = rawRouterClient((await serve()).address);
    const result = await streamStatus(raw, JSON.stringify({ kind: "resource", uuid: "nope" }));
    expect(result.code).toBe(GrpcCode.NOT_FOUND);
    expect(result.details).toMatch(/no driver with uuid nope/);
  });

  it("answers Reset with UNIMPLEMENTED", async () => {
    const raw = rawExporterClient((await serve()).address);
    const error = await new Promise<ServiceError | null>((resolve) => raw.reset({}, (e) => resolve(e)));
    expect(error?.code).toBe(GrpcCode.UNIMPLEMENTED);
  });
});

describe("serveSession: byte stream frames on the wire", () => {
  /** Opens the echo stream raw, sends frames, and collects the frames and status that come back. */
  async function exchange(frames: { payload?: string; frameType: FrameType }[]) {
    const target = new FakeTarget();
    const echoClosed = once(target.events, "echo-closed");
    const served = await serveSession(target, { listen: socketPath() });
    cleanups.push(() => served.close());
    const metadata = new Metadata();
    metadata.set("request", JSON.stringify({ kind: "driver", uuid: SERIAL, method: "echo" }));
    const call = rawRouterClient(served.address).stream(metadata);
    const received: { payload: string; frameType: FrameType }[] = [];
    call.on("data", (frame: StreamResponse) => {
      received.push({ payload: frame.payload.toString(), frameType: frame.frameType });
    });
    const status = new Promise<number>((resolve) =>
      call.on("status", (s: { code: number }) => resolve(s.code)),
    );
    for (const frame of frames)
      call.write({ payload: Buffer.from(frame.payload ?? ""), frameType: frame.frameType });
    return { received, status, echoClosed };
  }

  it("ignores PING, echoes DATA, and answers GOAWAY with its own GOAWAY before ending the call", async () => {
    const { received, status } = await exchange([
      { frameType: FrameType.FRAME_TYPE_PING },
      { payload: "abc", frameType: FrameType.FRAME_TYPE_DATA },
      { frameType: FrameType.FRAME_TYPE_GOAWAY },
    ]);
    expect(await status).toBe(GrpcCode.OK);
    expect(received).toEqual([
      { payload: "abc", frameType: FrameType.FRAME_TYPE_DATA },
      { payload: "", frameType: FrameType.FRAME_TYPE_GOAWAY },
    ]);
  });

  it("destroys the driver's duplex on RST_STREAM", async () => {
    const { status, echoClosed } = await exchange([{ frameType: FrameType.FRAME_TYPE_RST_STREAM }]);
    await echoClosed;
    expect(await status).toBe(GrpcCode.OK);
  });
});

describe("serveSession: resource streams on the wire", () => {
  /** Opens a resource stream raw; resolves with the initial metadata, the call and the target. */
  async function openResource(encoding: string | null) {
    const target = new FakeTarget();
    const served = await serveSession(target, { listen: socketPath() });
    cleanups.push(() => served.close());
    const metadata = new Metadata();
    metadata.set(
      "request",
      JSON.stringify({ kind: "resource", uuid: SERIAL, x_jmp_content_encoding: encoding }),
    );
    const call = rawRouterClient(served.address).stream(metadata);
    const received: FrameType[] = [];
    call.on("data", (frame: StreamResponse) => received.push(frame.frameType));
    const status = new Promise<number>((resolve) =>
      call.on("status", (s: { code: number }) => resolve(s.code)),
    );
    const [initial] = (await once(call, "metadata")) as [Metadata];
    return { target, call, initial, received, status };
  }

  it("answers the handle in the initial metadata and accepts no content encoding", async () => {
    const { target, call, initial, status } = await openResource("gzip");
    const handle = JSON.parse(String(initial.get("resource")[0]));
    expect(handle).toEqual({ kind: "client_stream", uuid: expect.any(String), x_jmp_content_encoding: null });
    expect(initial.get("x_jmp_accept_encoding")).toEqual([]);
    const driverEnd = target.serialResources.take("file_write", handle);
    call.write({ payload: Buffer.from("abc"), frameType: FrameType.FRAME_TYPE_DATA });
    call.write({ payload: Buffer.alloc(0), frameType: FrameType.FRAME_TYPE_GOAWAY });
    const chunks: Buffer[] = [];
    for await (const chunk of driverEnd.iterator({ destroyOnReturn: false })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("abc");
    driverEnd.end();
    expect(await status).toBe(GrpcCode.OK);
  });

  it("a stream half-closed or cancelled without GOAWAY is no complete upload for the driver", async () => {
    for (const cut of ["half-close", "cancel"] as const) {
      const { target, call, initial } = await openResource(null);
      const driverEnd = target.serialResources.take(
        "file_write",
        JSON.parse(String(initial.get("resource")[0])),
      );
      call.write({ payload: Buffer.from("abc"), frameType: FrameType.FRAME_TYPE_DATA });
      call.on("error", () => {});
      if (cut === "half-close") call.end();
      else call.cancel();
      const failure = new Promise<Error>((resolve) => driverEnd.on("error", resolve));
      driverEnd.resume();
      expect((await failure).message, cut).toMatch(/closed the resource stream before the end of its data/);
    }
  });
});

describe("serveSession: close", () => {
  it("ends open byte streams and streaming calls instead of waiting for them", async () => {
    const served = await serveSession(new FakeTarget(), { listen: socketPath(), shutdownGraceMs: 600_000 });
    const transport = await connect(served.address);
    const stream = await transport.byteStream(SERIAL, "echo");
    const streamEnded = new Promise((resolve) => stream.on("end", resolve).resume());
    const items = transport.streamingCall(POWER, "forever", [])[Symbol.asyncIterator]();
    await items.next();
    await served.close();
    await streamEnded;
    await expect(
      (async () => {
        for (let i = 0; i < 100_000; i++) if ((await items.next()).done) return;
      })(),
    ).rejects.toThrow(/the exporter session is closing/);
  });
});

describe("serveSession: passphrase", () => {
  it("rejects calls without the right passphrase and accepts the right one", async () => {
    const served = await serve({ passphrase: "s3cret" });
    const without = await connect(served.address);
    await expect(without.report()).rejects.toThrow(PassphraseRejectedError);
    await expect(without.byteStream(SERIAL, "echo")).rejects.toThrow(PassphraseRejectedError);
    const wrong = await connect(served.address, { passphrase: "guess" });
    await expect(wrong.call(POWER, "echo", [])).rejects.toMatchObject({ code: "ERR_DUTKIT_PASSPHRASE" });
    const right = await connect(served.address, { passphrase: "s3cret" });
    expect(await right.call(POWER, "echo", [1])).toEqual([1]);
  });
});

describe("serveSession: status, EndSession, LogStream", () => {
  it("reports LEASE_READY in local mode and answers EndSession with no lease context", async () => {
    const transport = await connect((await serve()).address);
    expect(await transport.status()).toEqual({ status: "LEASE_READY", version: 1 });
    expect(await transport.endSession()).toEqual({ success: false, message: "No active lease context" });
  });

  it("reports status changes with a growing version and gates driver calls on the status", async () => {
    const board = new SessionStatus("AVAILABLE");
    const transport = await connect((await serve({ status: board })).address);
    await expect(transport.call(POWER, "echo", [])).rejects.toThrow(FailedPreconditionError);
    board.set("LEASE_READY", "ready");
    expect(await transport.status()).toEqual({
      status: "LEASE_READY",
      message: "ready",
      version: 2,
      previous: "AVAILABLE",
    });
    expect(await transport.call(POWER, "echo", [])).toEqual([]);
  });

  it("keeps a log stream open until the client cancels it, and ends it on close", async () => {
    const served = await serveSession(new FakeTarget(), { listen: socketPath() });
    const raw = rawExporterClient(served.address);
    const cancelled = raw.logStream({});
    const kept = raw.logStream({});
    const statusOf = (call: typeof kept) =>
      new Promise<number>((resolve) => {
        call.on("error", () => {});
        call.on("status", (s: { code: number }) => resolve(s.code));
        call.resume();
      });
    const cancelledStatus = statusOf(cancelled);
    const keptStatus = statusOf(kept);
    let keptEnded = false;
    void keptStatus.then(() => {
      keptEnded = true;
    });
    // Another call completes while both streams stay open.
    const transport = await connect(served.address);
    expect((await transport.status()).status).toBe("LEASE_READY");
    expect(keptEnded).toBe(false);
    cancelled.cancel();
    expect(await cancelledStatus).toBe(GrpcCode.CANCELLED);
    await served.close();
    expect(await keptStatus).toBe(GrpcCode.OK);
  });
});

describe("serveSession: addresses", () => {
  it("removes its socket file when closed", async () => {
    const path = socketPath();
    const served = await serveSession(new FakeTarget(), { listen: `unix:${path}` });
    expect(served.address).toBe(path);
    expect(existsSync(path)).toBe(true);
    await served.close();
    await served.close();
    expect(existsSync(path)).toBe(false);
  });

  it("replaces a stale socket file nobody listens on", async () => {
    const path = socketPath();
    execFileSync(process.execPath, [
      "-e",
      `require("net").createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`,
    ]);
    expect(existsSync(path)).toBe(true);
    const served = await serve({ listen: path });
    expect(await (await connect(served.address)).call(POWER, "echo", ["ok"])).toEqual(["ok"]);
  });

  it("refuses a socket another process serves on, and a path that is not a socket", async () => {
    const live = socketPath();
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(live, resolve));
    cleanups.push(() => new Promise<void>((resolve) => other.close(() => resolve())));
    await expect(serve({ listen: live })).rejects.toMatchObject({ code: "ERR_DUTKIT_ADDRESS_IN_USE" });
    const file = join(dir, "plain-file");
    await writeFile(file, "not a socket");
    await expect(serve({ listen: file })).rejects.toThrow(/not a socket/);
  });

  it("reports the bound port for TCP port 0", async () => {
    const served = await serve({ listen: "127.0.0.1:0" });
    expect(served.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
  });
});

describe("GrpcTransport.connect failures", () => {
  it("names the address and the fix when no socket exists", async () => {
    const path = join(dir, "nobody-home.sock");
    const error = await GrpcTransport.connect(path, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExporterUnreachableError);
    expect((error as ExporterUnreachableError).code).toBe("ERR_DUTKIT_EXPORTER_UNREACHABLE");
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/check that the exporter runs/);
  });

  it("fails on a socket file nobody listens on", async () => {
    const path = socketPath();
    execFileSync(process.execPath, [
      "-e",
      `require("net").createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`,
    ]);
    await expect(GrpcTransport.connect(path, { timeoutMs: 5000 })).rejects.toThrow(ExporterUnreachableError);
  });
});

describe("serveSession: TLS", () => {
  it("serves TLS to a client that trusts the certificate, and not to a plaintext client", async () => {
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const served = await serve({ listen: "localhost:0", tls: { certFile: cert, keyFile: key } });
    const secure = await connect(served.address, { tls: { ca: await readFile(cert) } });
    expect(await secure.call(POWER, "echo", ["tls"])).toEqual(["tls"]);
    await expect(GrpcTransport.connect(served.address, { timeoutMs: 5000 })).rejects.toThrow(
      ExporterUnreachableError,
    );
  });
});
