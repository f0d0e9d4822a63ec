import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ConsoleReader, whenEvent } from "./__fixtures__/support.ts";
import { ConsoleHub } from "./console-hub.ts";

const WAIT_MS = 5000;
let dir: string;
let server: Server;
const sockets: Socket[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "dutkit-qemu-hub-"));
  server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, "s"), resolve));
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** A connected pair of unix sockets: `board` stands for QEMU's side, `hub` for the driver's. */
async function socketPair(): Promise<{ board: Socket; hub: Socket }> {
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const board = createConnection(join(dir, "s"));
  const hub = await accepted;
  sockets.push(board, hub);
  return { board, hub };
}

/** Reads from `stream` until `text` arrived; returns everything read. */
function readUntil(stream: Duplex | Socket, text: string): Promise<string> {
  return new ConsoleReader(stream as Duplex).until(text, WAIT_MS);
}

describe("ConsoleHub", { timeout: 4 * WAIT_MS }, () => {
  test("keeps output that arrives before a client connects, then streams live output", async () => {
    const hub = new ConsoleHub(1024);
    const { board, hub: upstream } = await socketPair();
    hub.attach(upstream);
    board.write("early boot\n");
    await whenEvent(hub, "output", () => hub.backlogLength > 0, "the board's output in the backlog", WAIT_MS);
    expect(hub.backlogLength).toBe("early boot\n".length);

    const reader = new ConsoleReader(hub.open());
    expect(await reader.until("early boot\n", WAIT_MS)).toBe("early boot\n");
    expect(hub.backlogLength).toBe(0);
    board.write("live\n");
    expect(await reader.until("live\n", WAIT_MS)).toBe("live\n");
    hub.close();
  });

  test("the backlog is bounded: the newest bytes are kept", async () => {
    const hub = new ConsoleHub(8);
    const { board, hub: upstream } = await socketPair();
    hub.attach(upstream);
    board.write("0123456789abcdef");
    board.write("XYZ");
    const seen = () => hub.droppedBytes + hub.backlogLength >= 19;
    await whenEvent(hub, "output", seen, "all 19 bytes kept or dropped", WAIT_MS);
    expect(hub.backlogLength).toBe(8);
    expect(hub.droppedBytes).toBe(11);
    const client = hub.open();
    expect(String(client.read())).toBe("bcdefXYZ");
    hub.close();
  });

  test("writes reach the board; output already read is not replayed to the next client", async () => {
    const hub = new ConsoleHub(1024);
    const { board, hub: upstream } = await socketPair();
    hub.attach(upstream);
    const first = hub.open();
    const firstReader = new ConsoleReader(first);
    first.write("version\n");
    expect(await readUntil(board, "version\n")).toBe("version\n");
    board.write("U-Boot 2023.01\n=> ");
    await firstReader.until("=> ", WAIT_MS);
    first.end();
    // The hub lets the client go in its final(), before the stream says "finish".
    await whenEvent(
      first,
      "finish",
      () => first.writableFinished,
      "the first client's end to finish",
      WAIT_MS,
    );
    expect(hub.connectedClients).toBe(0);

    board.write("later\n");
    const second = new ConsoleReader(hub.open());
    expect(await second.until("later\n", WAIT_MS)).toBe("later\n");
    hub.close();
  });

  test("every client sees live output; input while the board is off is dropped", async () => {
    const hub = new ConsoleHub(1024);
    const a = new ConsoleReader(hub.open());
    const b = new ConsoleReader(hub.open());
    a.send("lost\n");
    const { board, hub: upstream } = await socketPair();
    hub.attach(upstream);
    board.write("hello\n");
    expect(await a.until("hello\n", WAIT_MS)).toBe("hello\n");
    expect(await b.until("hello\n", WAIT_MS)).toBe("hello\n");
    b.send("kept\n");
    expect(await readUntil(board, "kept\n")).toBe("kept\n");
    hub.close();
  });

  test("a client that does not read holds the board back instead of filling memory", async () => {
    const hub = new ConsoleHub(1024);
    const { board, hub: upstream } = await socketPair();
    hub.attach(upstream);
    const client = hub.open();
    const total = 8 * 1024 * 1024;
    const data = Buffer.alloc(total);
    for (let i = 0; i < total; i += 4) data.writeUInt32LE(i, i);
    const paused = whenEvent(
      upstream,
      "pause",
      () => upstream.isPaused(),
      "the hub to pause the board",
      WAIT_MS,
    );
    board.write(data);
    // The client's buffer fills to its high-water mark, then the hub pauses the board's socket.
    await paused;
    expect(client.readableLength).toBeGreaterThanOrEqual(client.readableHighWaterMark);
    expect(board.writableLength).toBeGreaterThan(0);
    // Reading again resumes the flow; every byte arrives, in order.
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of client) {
      chunks.push(chunk as Buffer);
      received += (chunk as Buffer).length;
      if (received >= total) break;
    }
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    hub.close();
  });

  test("close ends the client streams, and a client opened after close ends at once", async () => {
    const hub = new ConsoleHub(1024);
    const client = hub.open();
    const ended = new Promise<void>((resolve) => client.once("end", resolve));
    client.resume();
    hub.close();
    await ended;
    const late = hub.open();
    const lateEnded = new Promise<void>((resolve) => late.once("end", resolve));
    late.resume();
    await lateEnded;
  });
});
