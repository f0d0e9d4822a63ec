/**
 * The benchmark's dutkit client: GrpcTransport on JUMPSTARTER_HOST and the client tree from
 * buildClientTree, doing one case and timing it itself. Runs compiled (see compile.ts).
 *
 *   node ts-client.js rtt CALLS WARMUP
 *   node ts-client.js serial BYTES CHUNK WARMUP_BYTES
 *   node ts-client.js storage SOURCE_FILE TARGET_FILE
 *
 * Same protocol as py-client.py: "mark begin" / "mark end" on stdout, each answered by a line
 * on stdin, then one line "result <json>".
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Duplex } from "node:stream";
import { GrpcTransport } from "../../src/client/grpc/index.ts";
import { buildClientTree } from "../../src/client/tree.ts";
import "../../src/drivers/index.ts";
import type { PowerClient } from "../../src/drivers/power/client.ts";
import type { SerialClient } from "../../src/drivers/serial/client.ts";
import type { StorageClient } from "../../src/drivers/storage/client.ts";

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function mark(name: string): Promise<void> {
  process.stdout.write(`mark ${name}\n`);
  const answer = await lines.next();
  if (answer.done) throw new Error(`the benchmark closed stdin while the client waited at mark ${name}`);
}

async function rtt(power: PowerClient, calls: number, warmup: number) {
  for (let i = 0; i < warmup; i++) await power.on();
  const latenciesUs: number[] = new Array(calls);
  await mark("begin");
  let previous = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    await power.on();
    const now = process.hrtime.bigint();
    latenciesUs[i] = Number(now - previous) / 1000;
    previous = now;
  }
  await mark("end");
  return { latenciesUs };
}

/** Writes `data` in chunks while reading it back; resolves with what came back. */
async function loopThrough(stream: Duplex, data: Buffer, chunk: number): Promise<Buffer> {
  const received = Buffer.alloc(data.length);
  let filled = 0;
  const readBack = new Promise<void>((resolve, reject) => {
    const onData = (piece: Buffer) => {
      if (filled + piece.length > data.length) {
        reject(new Error(`serial: read back more than the ${data.length} bytes written`));
        return;
      }
      piece.copy(received, filled);
      filled += piece.length;
      if (filled === data.length) {
        stream.off("data", onData);
        stream.off("error", reject);
        stream.off("end", onEnd);
        resolve();
      }
    };
    const onEnd = () => reject(new Error(`serial: the stream ended after ${filled} of ${data.length} bytes`));
    stream.on("data", onData);
    stream.once("error", reject);
    stream.once("end", onEnd);
  });
  for (let offset = 0; offset < data.length; offset += chunk) {
    if (!stream.write(data.subarray(offset, offset + chunk))) await once(stream, "drain");
  }
  await readBack;
  return received;
}

async function serial(port: SerialClient, total: number, chunk: number, warmupBytes: number) {
  const data = randomBytes(total);
  const stream = await port.connect();
  try {
    const warmup = data.subarray(0, warmupBytes);
    if (!(await loopThrough(stream, warmup, chunk)).equals(warmup)) {
      throw new Error("serial warm-up: the bytes read back differ from those written");
    }
    await mark("begin");
    const started = performance.now();
    const received = await loopThrough(stream, data, chunk);
    const seconds = (performance.now() - started) / 1000;
    await mark("end");
    if (!received.equals(data)) {
      throw new Error(`serial: the ${total} bytes read back differ from those written`);
    }
    return { seconds };
  } finally {
    stream.destroy();
  }
}

/** Same file name as py-client.py's. */
const REMOTE_FILE = "bench.bin";

async function storage(files: StorageClient, source: string, target: string) {
  await mark("begin");
  let started = performance.now();
  await files.writeFromPath(REMOTE_FILE, source);
  const uploadS = (performance.now() - started) / 1000;
  await mark("end");
  await mark("begin");
  started = performance.now();
  await files.readIntoPath(REMOTE_FILE, target);
  const downloadS = (performance.now() - started) / 1000;
  await mark("end");
  return { uploadS, downloadS };
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const numbers = args.map(Number);
  const host = process.env.JUMPSTARTER_HOST;
  if (!host) throw new Error("JUMPSTARTER_HOST is not set: the benchmark sets it to the exporter's socket");
  const transport = await GrpcTransport.connect(host, { timeoutMs: 10_000 });
  try {
    const root = buildClientTree(await transport.report(), transport) as unknown as {
      power: PowerClient;
      serial: SerialClient;
      tftp: { storage: StorageClient };
    };
    let result: object;
    if (mode === "rtt") result = await rtt(root.power, numbers[0]!, numbers[1]!);
    else if (mode === "serial") result = await serial(root.serial, numbers[0]!, numbers[1]!, numbers[2]!);
    else if (mode === "storage") result = await storage(root.tftp.storage, args[0]!, args[1]!);
    else throw new Error(`unknown mode ${mode}: rtt, serial or storage`);
    process.stdout.write(`result ${JSON.stringify(result)}\n`);
  } finally {
    await transport.close();
  }
  process.stdin.destroy();
}

await main();
