/**
 * Expect engine throughput: a 100 MB stream of console-like text searched for 10 patterns by
 * ExpectConsole, next to plain indexOf scans of the same data in the same run.
 *
 *   node --import ./scripts/ts-loader.mjs bench/expect/run.ts [--mb 100] [--runs 3]
 *
 * The stream delivers 64 KiB chunks, one per event-loop turn (as a socket does); a line matching one RegExp pattern appears about once
 * per MiB, so expect() is called ~100 times per pass and returns `before` texts of ~1 MiB.
 * Prints a markdown table of the median rate of each case over the runs (MB = 10^6 bytes).
 */
import { cpus } from "node:os";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { EOF, ExpectConsole, type Pattern } from "../../src/expect/index.ts";

const { values } = parseArgs({
  options: { mb: { type: "string", default: "100" }, runs: { type: "string", default: "3" } },
});
const totalBytes = Math.max(1, Number(values.mb)) * 1_000_000;
const runs = Math.max(1, Number(values.runs));
const CHUNK = 64 * 1024;
const MARK_EVERY = 1 << 20;

const LINES = [
  "[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd034]\r\n",
  "DRAM:  1 GiB\r\nCore:  51 devices, 14 uclasses, devicetree: board\r\n",
  "Loading Environment from Flash... *** Warning - bad CRC, using default environment\r\n",
  "eth0: virtio-net#32\r\nHit any key to stop autoboot:  0 \r\n",
  "00000000: d00dfeed 00100000 00000048 00000f94    ....H...........\r\n",
];
const MARK_LINE = "Bytes transferred = 4194304 (400000 hex)\r\n";

/** The data as 64 KiB chunks: log lines, with the marker line about once per MiB. */
function makeChunks(): Buffer[] {
  let text = "";
  let seed = 7;
  while (text.length < MARK_EVERY) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    text += LINES[seed % LINES.length];
  }
  const block = Buffer.from(text.slice(0, MARK_EVERY - MARK_LINE.length) + MARK_LINE, "latin1");
  const data = Buffer.alloc(totalBytes);
  for (let at = 0; at < totalBytes; at += block.length) block.copy(data, at);
  const chunks: Buffer[] = [];
  for (let at = 0; at < totalBytes; at += CHUNK) chunks.push(data.subarray(at, at + CHUNK));
  return chunks;
}

const PATTERNS: Pattern[] = [
  "Unknown command",
  "## Error",
  "resetting ...",
  "Kernel panic",
  "login: ",
  "Password:",
  "Starting kernel ...",
  "=> ",
  /U-Boot 20\d\d\.\d\d/,
  /Bytes transferred = (\d+)/,
];

/** The chunks as a stream that delivers one chunk per event-loop turn, as a socket or port does. */
function streamOf(chunks: Buffer[]): Readable {
  let i = 0;
  return new Readable({
    read() {
      setImmediate(() => this.push(i < chunks.length ? chunks[i++] : null));
    },
  });
}

async function expectPass(chunks: Buffer[]): Promise<number> {
  const expecter = new ExpectConsole(streamOf(chunks), { maxBuffer: 4 << 20 });
  let matches = 0;
  for (let i = 0; i <= chunks.length; i++) {
    const r = await expecter.expect([...PATTERNS, EOF], { timeout: 60_000 });
    if (r.pattern === EOF) break;
    matches++;
  }
  expecter.close();
  return matches;
}

/** The same stream read to its end with no search: what delivery alone costs. */
async function drainPass(chunks: Buffer[]): Promise<number> {
  let bytes = 0;
  for await (const chunk of streamOf(chunks)) bytes += (chunk as Buffer).length;
  return bytes;
}

function indexOfPass(chunks: Buffer[], needles: string[]): number {
  let found = 0;
  let tail = "";
  for (const chunk of chunks) {
    const text = tail + chunk.toString("utf8");
    for (const needle of needles) if (text.indexOf(needle, 0) >= 0) found++;
    tail = text.slice(-64);
  }
  return found;
}

function bufferIndexOfPass(chunks: Buffer[], needle: Buffer): number {
  let found = 0;
  for (const chunk of chunks) if (chunk.indexOf(needle) >= 0) found++;
  return found;
}

async function rate(fn: () => unknown): Promise<{ mbps: number; result: unknown }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { mbps: totalBytes / 1e6 / seconds, result };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const chunks = makeChunks();
const strings = PATTERNS.filter((p): p is string => typeof p === "string");
const cases: [string, () => unknown][] = [
  ["ExpectConsole.expect, 10 patterns (8 strings, 2 RegExps) + EOF", () => expectPass(chunks)],
  ["same stream read with no search (delivery cost only)", () => drainPass(chunks)],
  ["plain indexOf, 1 string per chunk (UTF-8 decode + String#indexOf)", () => indexOfPass(chunks, ["=> "])],
  ["plain indexOf, 8 strings per chunk (UTF-8 decode + String#indexOf)", () => indexOfPass(chunks, strings)],
  ["Buffer#indexOf, 1 string per chunk (no decoding)", () => bufferIndexOfPass(chunks, Buffer.from("=> "))],
];
const rates = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const results = new Map<string, unknown>();
for (let run = 0; run < runs; run++) {
  for (const [name, fn] of cases) {
    const { mbps, result } = await rate(fn);
    rates.get(name)!.push(mbps);
    results.set(name, result);
  }
}

console.log(
  `Expect throughput: ${totalBytes / 1e6} MB in ${CHUNK / 1024} KiB chunks, median of ${runs} runs`,
);
console.log(`Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}\n`);
console.log("| case | MB/s | result |");
console.log("|---|---:|---|");
for (const [name] of cases) {
  console.log(`| ${name} | ${median(rates.get(name)!).toFixed(0)} | ${String(results.get(name))} |`);
}
