/** Bounded robustness runs: lossy links and random packets must not break the server. */
import { createSocket } from "node:dgram";
import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TransferEndEvent } from "../../src/tftp/index.ts";
import {
  bytes,
  clients,
  eventually,
  missingReason,
  run,
  type Served,
  serve,
  writeFiles,
} from "./helpers/fixtures.ts";
import { type Impairment, LossyProxy } from "./helpers/lossy-proxy.ts";
import { ack, data, error, rrq, wrq } from "./helpers/packets.ts";
import { download, upload } from "./helpers/raw-client.ts";

const FILE = bytes(150_000, 11);
const LARGE = bytes(600_000, 12);
let served: Served;

beforeAll(async () => {
  served = await serve({ write: { enabled: true, overwrite: true } });
  await writeFiles(served.root, { "f.bin": FILE, "large.bin": LARGE });
});
afterAll(() => served.close());

async function throughProxy<T>(impairment: Impairment, use: (port: number) => Promise<T>) {
  const proxy = await LossyProxy.open(served.port, impairment);
  try {
    const result = await use(proxy.port);
    return { result, counts: proxy.counts };
  } finally {
    await proxy.close();
  }
}

const lossy = { drop: 0.08, duplicate: 0.05, reorder: 0.05 };

describe("over a lossy, duplicating, reordering link", () => {
  it.each([
    ["lock-step at 512", 512, 1, "f.bin", FILE, 1],
    ["windowsize 8 at 1024", 1024, 8, "large.bin", LARGE, 2],
    ["windowsize 16 at 1468", 1468, 16, "large.bin", LARGE, 3],
    ["windowsize 8 at 8192, sent straight from the read-ahead buffer", 8192, 8, "large.bin", LARGE, 7],
  ])("a raw client downloads byte-exact: %s", async (_, blksize, windowsize, name, expected, seed) => {
    const { result, counts } = await throughProxy({ ...lossy, seed }, (port) =>
      download(port, name, { blksize, windowsize, retransmitMs: 60, deadlineMs: 50_000 }),
    );
    expect(result.error).toBeUndefined();
    expect(result.data.equals(expected)).toBe(true);
    expect(counts.dropped).toBeGreaterThan(0);
  });

  it("a raw client uploads byte-exact in windows", async () => {
    const { result } = await throughProxy({ ...lossy, seed: 4 }, (port) =>
      upload(port, "lossy-upload.bin", FILE, {
        blksize: 1024,
        windowsize: 4,
        retransmitMs: 60,
        deadlineMs: 5000,
      }),
    );
    expect(result.error).toBeUndefined();
    await eventually(
      async () => (await readFile(join(served.root, "lossy-upload.bin")).catch(() => "")).length > 0,
    );
    expect((await readFile(join(served.root, "lossy-upload.bin"))).equals(FILE)).toBe(true);
  });

  it.skipIf(!clients.busybox)(
    `busybox downloads and uploads byte-exact${clients.busybox ? "" : ` (skipped: ${missingReason.busybox})`}`,
    async () => {
      // busybox waits 100 ms and more before repeating a packet: a milder link keeps this short.
      const mild = { drop: 0.03, duplicate: 0.03, reorder: 0.03 };
      const target = join(served.work, "lossy-bb.bin");
      await throughProxy({ ...mild, seed: 5 }, (port) =>
        run("busybox", ["tftp", "-g", "-r", "f.bin", "-l", target, "-b", "1468", "127.0.0.1", String(port)]),
      );
      expect((await readFile(target)).equals(FILE)).toBe(true);
      const source = join(served.work, "lossy-bb-source.bin");
      await writeFile(source, FILE);
      const ends: unknown[] = [];
      const record = (event: TransferEndEvent) => {
        if (event.filename === "lossy-bb-up.bin") ends.push({ ...event, client: undefined });
      };
      served.server.on("transferEnd", record);
      const uploaded = await throughProxy({ ...mild, seed: 6 }, (port) =>
        run("busybox", [
          "tftp",
          "-p",
          "-l",
          source,
          "-r",
          "lossy-bb-up.bin",
          "-b",
          "1468",
          "127.0.0.1",
          String(port),
        ]),
      );
      const stored = await readFile(join(served.root, "lossy-bb-up.bin")).catch(() => undefined);
      served.server.off("transferEnd", record);
      const report = JSON.stringify({ busybox: uploaded.result, proxy: uploaded.counts, server: ends });
      expect(stored?.equals(FILE), report).toBe(true);
    },
  );
});

function openDescriptors(): number {
  return readdirSync("/proc/self/fd").length;
}

describe("fuzzing", () => {
  it("keeps serving after random and mutated packets, without leaking descriptors or memory", async () => {
    const fuzzed = await serve(
      { timeoutMs: 50, minTimeoutMs: 10, retries: 1, write: { enabled: true } },
      served.root,
    );
    try {
      expect((await download(fuzzed.port, "f.bin")).data.equals(FILE)).toBe(true);
      await eventually(() => fuzzed.server.stats().activeTransfers === 0);
      const descriptorsBefore = openDescriptors();
      const heapBefore = process.memoryUsage().heapUsed;

      let state = 99;
      const random = (n: number) => {
        state = (state * 1103515245 + 12345) >>> 0;
        return (state >>> 8) % n;
      };
      const sockets = await Promise.all(
        [0, 1, 2, 3].map(async () => {
          const socket = createSocket("udp4");
          await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
          socket.on("error", () => {});
          return socket;
        }),
      );
      const transferPorts: number[] = [];
      for (const socket of sockets) {
        socket.on("message", (_packet, from) => {
          if (from.port !== fuzzed.port && transferPorts.length < 64) transferPorts.push(from.port);
        });
      }
      const seeds = [
        rrq("f.bin", [
          ["blksize", 1024],
          ["tsize", 0],
          ["windowsize", 4],
        ]),
        wrq("fuzz-upload.bin", [["tsize", 100]]),
        rrq("../../etc/passwd"),
        ack(1),
        data(1, Buffer.from("abc")),
        error(8, "x"),
      ];
      const mutate = (packet: Buffer): Buffer => {
        const copy = Buffer.from(packet);
        switch (random(4)) {
          case 0:
            for (let i = 0; i < 1 + random(4); i++) copy[random(copy.length)] = random(256);
            return copy;
          case 1:
            return copy.subarray(0, random(copy.length + 1));
          case 2:
            return Buffer.concat([copy, Buffer.from(Array.from({ length: random(700) }, () => random(256)))]);
          default:
            return Buffer.from(Array.from({ length: random(80) }, () => random(256)));
        }
      };
      for (let burst = 0; burst < 60; burst++) {
        for (let i = 0; i < 50; i++) {
          const socket = sockets[random(sockets.length)]!;
          const packet = mutate(seeds[random(seeds.length)]!);
          const toTransfer = transferPorts.length > 0 && random(3) === 0;
          socket.send(
            packet,
            toTransfer ? transferPorts[random(transferPorts.length)]! : fuzzed.port,
            "127.0.0.1",
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await eventually(() => fuzzed.server.stats().activeTransfers === 0, 15_000);

      expect((await download(fuzzed.port, "f.bin", { blksize: 1468, windowsize: 4 })).data.equals(FILE)).toBe(
        true,
      );
      await eventually(() => fuzzed.server.stats().activeTransfers === 0);
      // Lingering upload sockets close shortly after their transfer ended.
      await eventually(() => openDescriptors() <= descriptorsBefore, 10_000);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 << 20);
      expect(fuzzed.server.stats().malformedPackets).toBeGreaterThan(100);
      expect(readdirSync(served.root).filter((name) => name.includes("tftp-upload"))).toEqual([]);
    } finally {
      await fuzzed.close();
    }
  });
});
