import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { type ClientHttp2Session, createServer, connect as http2Connect, type Settings } from "node:http2";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { GrpcTransport } from "../client/grpc/grpc-transport.ts";
import { startLab } from "../controller/__fixtures__/lab.ts";
import { FakeTarget, SERIAL } from "../exporter/grpc/__fixtures__/fake-target.ts";
import { serveSession } from "../exporter/grpc/server.ts";
import { CLIENT_RECEIVE_WINDOW, SERVER_MAX_FRAME_SIZE, SERVER_RECEIVE_WINDOW } from "./http2-windows.ts";

let dir: string;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-windows-"));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const WAIT_MS = 10_000;

/** Resolves once `check` holds, polling every 10 ms; rejects naming `what` after WAIT_MS. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (const started = Date.now(); !check(); ) {
    if (Date.now() - started > WAIT_MS) throw new Error(`waited ${WAIT_MS} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A bare HTTP/2 connection to a gRPC server's unix socket, once the server's SETTINGS arrived. */
async function rawSession(path: string): Promise<{ session: ClientHttp2Session; settings: Settings }> {
  const session = http2Connect("http://localhost", { createConnection: () => netConnect(path) });
  cleanups.push(() => session.destroy());
  const [settings] = (await once(session, "remoteSettings")) as [Settings];
  return { session, settings };
}

describe("HTTP/2 windows of dutkit's gRPC peers", () => {
  test("an exporter's server opens a 4 MiB window per stream and per connection and takes 256 KiB frames", async () => {
    const served = await serveSession(new FakeTarget(), { listen: join(dir, "exporter.sock") });
    cleanups.push(() => served.close());
    const { session, settings } = await rawSession(served.address);
    expect(settings.initialWindowSize).toBe(SERVER_RECEIVE_WINDOW);
    expect(settings.maxFrameSize).toBe(SERVER_MAX_FRAME_SIZE);
    await until("the exporter's connection WINDOW_UPDATE", () => {
      return session.state.remoteWindowSize === SERVER_RECEIVE_WINDOW;
    });
  });

  test("the controller's server opens the same windows (its router carries every leased byte stream)", async () => {
    const lab = await startLab();
    cleanups.push(() => lab.close());
    const { session, settings } = await rawSession(lab.controller.address);
    expect(settings.initialWindowSize).toBe(SERVER_RECEIVE_WINDOW);
    expect(settings.maxFrameSize).toBe(SERVER_MAX_FRAME_SIZE);
    await until("the controller's connection WINDOW_UPDATE", () => {
      return session.state.remoteWindowSize === SERVER_RECEIVE_WINDOW;
    });
  });

  test("dutkit's client asks for its own, smaller window", async () => {
    const path = join(dir, "bare.sock");
    const server = createServer();
    const seen = new Promise<Settings>((resolve) => {
      server.on("session", (session) => session.once("remoteSettings", resolve));
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    // The bare server answers no gRPC call; connecting is all the client does here.
    const connecting = GrpcTransport.connect(path, { timeoutMs: WAIT_MS }).then(
      (transport) => cleanups.push(() => transport.close()),
      () => {},
    );
    expect((await seen).initialWindowSize).toBe(CLIENT_RECEIVE_WINDOW);
    await connecting;
  });

  test("bytes flowing both ways at full speed between dutkit's client and exporter never stall", async () => {
    const served = await serveSession(new FakeTarget(), { listen: join(dir, "echo.sock") });
    cleanups.push(() => served.close());
    const transport = await GrpcTransport.connect(served.address, { timeoutMs: WAIT_MS });
    cleanups.push(() => transport.close());
    const echo = await transport.byteStream(SERIAL, "echo");
    cleanups.push(() => echo.destroy());
    const data = randomBytes(16 * 1024 * 1024);
    let received = 0;
    const back: Buffer[] = [];
    const allBack = new Promise<void>((resolve, reject) => {
      echo.on("data", (chunk: Buffer) => {
        back.push(chunk);
        received += chunk.length;
        if (received >= data.length) resolve();
      });
      echo.once("error", reject);
    });
    const written = (async () => {
      for (let at = 0; at < data.length; at += 64 * 1024) {
        if (!echo.write(data.subarray(at, at + 64 * 1024))) await once(echo, "drain");
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`the echo stream stalled: ${received} of ${data.length} bytes back after 60 s`)),
        60_000,
      );
    });
    try {
      await Promise.race([Promise.all([written, allBack]), stalled]);
    } finally {
      clearTimeout(timer);
    }
    expect(Buffer.concat(back).equals(data)).toBe(true);
  }, 90_000);
});
