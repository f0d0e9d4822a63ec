/**
 * The server with transfer worker threads: transfers run in workers and report to the server's
 * events and stats as in-process ones do; `onRead` transfers stay in the server's thread.
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { TransferEndEvent } from "./events.ts";
import { encodeAck, Opcode } from "./packet.ts";
import { TftpServer } from "./server.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function served(options: { workers: number; onRead?: () => Uint8Array }) {
  const root = await mkdtemp(join(tmpdir(), "dutkit-tftp-workers-"));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const server = new TftpServer({ root, host: "127.0.0.1", port: 0, write: { enabled: true }, ...options });
  const ends: TransferEndEvent[] = [];
  server.on("transferEnd", (event) => ends.push(event));
  await server.start();
  cleanups.push(() => server.stop());
  return { root, server, ends, port: server.address().port };
}

async function client(): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  cleanups.push(() => new Promise((resolve) => socket.close(() => resolve())));
  return socket;
}

function request(opcode: number, name: string): Buffer {
  return Buffer.concat([Buffer.from([0, opcode]), Buffer.from(`${name}\0octet\0`)]);
}

/** Reads `name` with 512-byte blocks, one ACK per DATA. */
async function get(port: number, name: string): Promise<Buffer> {
  const socket = await client();
  const pieces: Buffer[] = [];
  return new Promise((resolve, reject) => {
    socket.on("message", (packet, from) => {
      if (packet.readUInt16BE(0) !== Opcode.DATA) return reject(new Error(packet.subarray(4).toString()));
      socket.send(encodeAck(packet.readUInt16BE(2)), from.port, from.address);
      pieces.push(packet.subarray(4));
      if (packet.length < 516) resolve(Buffer.concat(pieces));
    });
    socket.send(request(Opcode.RRQ, name), port, "127.0.0.1");
  });
}

/** Writes `content` as `name` with 512-byte blocks. */
async function put(port: number, name: string, content: Buffer): Promise<void> {
  const socket = await client();
  return new Promise((resolve) => {
    socket.on("message", (packet, from) => {
      const block = packet.readUInt16BE(2);
      const data = content.subarray(block * 512, block * 512 + 512);
      if (block * 512 > content.length) return resolve();
      const header = Buffer.from([0, Opcode.DATA, (block + 1) >> 8, (block + 1) & 0xff]);
      socket.send(Buffer.concat([header, data]), from.port, from.address);
    });
    socket.send(request(Opcode.WRQ, name), port, "127.0.0.1");
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("TftpServer with transfer workers", { timeout: 30_000 }, () => {
  it("serves concurrent reads from the workers and reports them", async () => {
    const { root, ends, port, server } = await served({ workers: 2 });
    const content = Buffer.alloc(100_000, 7);
    await writeFile(join(root, "a.bin"), content);
    const results = await Promise.all([1, 2, 3, 4].map(() => get(port, "a.bin")));
    for (const result of results) expect(result.equals(content)).toBe(true);
    await until(() => ends.length === 4);
    expect(ends.map((end) => end.outcome)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(ends[0]?.options?.blksize).toBe(512);
    expect(server.stats()).toMatchObject({ activeTransfers: 0, completedTransfers: 4, bytesSent: 400_000 });
  });

  it("stores uploads and refuses missing files from a worker", async () => {
    const { root, ends, port, server } = await served({ workers: 1 });
    const content = Buffer.alloc(2000, 3);
    await put(port, "up.bin", content);
    await until(() => ends.length === 1);
    expect((await readFile(join(root, "up.bin"))).equals(content)).toBe(true);
    await expect(get(port, "missing.bin")).rejects.toThrow(/not found/i);
    await until(() => ends.length === 2);
    expect(ends[1]).toMatchObject({ outcome: "failed", error: { tftpCode: 1 } });
    expect(server.stats()).toMatchObject({ completedTransfers: 1, failedTransfers: 1, bytesReceived: 2000 });
  });

  it("runs onRead transfers in the server's thread", async () => {
    let calls = 0;
    const { port, ends } = await served({
      workers: 1,
      onRead: () => {
        calls++;
        return Buffer.from("hooked");
      },
    });
    expect((await get(port, "anything")).toString()).toBe("hooked");
    await until(() => ends.length === 1);
    expect(calls).toBe(1);
    expect(ends[0]?.outcome).toBe("completed");
  });

  it("aborts transfers in progress on stop", async () => {
    const { root, ends, port, server } = await served({ workers: 1 });
    await writeFile(join(root, "big.bin"), Buffer.alloc(1 << 20));
    const socket = await client();
    const first = new Promise((resolve) => socket.once("message", resolve));
    socket.send(request(Opcode.RRQ, "big.bin"), port, "127.0.0.1"); // never acknowledged
    await first;
    await server.stop();
    expect(ends.map((end) => end.outcome)).toEqual(["aborted"]);
    expect(server.stats().activeTransfers).toBe(0);
  });
});
