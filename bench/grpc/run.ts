/**
 * DriverCall round trip: a MockPower unary call (`state` by default) made one at a time
 *   1. on the Session object in this process,
 *   2. over gRPC on a unix socket (serveSession + GrpcTransport),
 *   3. over gRPC through a controller's router (leased exporter, lease by selector),
 * next to the reference, a plain @grpc/grpc-js unary echo on a unix socket, in the same run.
 *
 *   node --import ./scripts/ts-loader.mjs bench/grpc/run.ts [--calls 5000] [--runs 5]
 *        [--warmup 1000] [--method state|on] [--budget-s 600]
 *
 * Each run does every case in turn (warm-up calls, then `--calls` timed calls); the cases are
 * set up once and kept open across runs. Prints p50, p99 and calls/s per case (the median of
 * the runs) and their ratios against the echo. Everything runs in this one process: server and
 * client share one event loop, as do the controller, router and exporter in case 3.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type Case, echoCase, inProcessCase, routerCase, scratchDir, unixSocketCase } from "./cases.ts";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "5000" },
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "1000" },
    method: { type: "string", default: "state" },
    "budget-s": { type: "string", default: "600" },
  },
});
const positiveInt = (name: string, text: string | undefined, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer in 1..${max}`);
  return n;
};
const calls = positiveInt("calls", values.calls, 1_000_000);
const runs = positiveInt("runs", values.runs, 100);
const warmup = positiveInt("warmup", values.warmup, 1_000_000);
const budgetMs = positiveInt("budget-s", values["budget-s"], 3600) * 1000;
const method = values.method ?? "state";
if (method !== "state" && method !== "on") throw new Error("--method must be state or on");

// The whole benchmark is bounded: past the budget it stops between calls and, failing that,
// the watchdog ends the process.
const started = Date.now();
const deadline = started + budgetMs;
const watchdog = setTimeout(() => {
  console.error(`grpc bench: still running after ${budgetMs / 1000} s; giving up`);
  process.exit(3);
}, budgetMs + 30_000);
watchdog.unref();

class OverBudget extends Error {}

interface Sample {
  p50Us: number;
  p99Us: number;
  callsPerS: number;
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function measure(c: Case): Promise<Sample> {
  for (let i = 0; i < warmup; i++) {
    await c.call();
    if ((i & 255) === 0 && Date.now() > deadline) throw new OverBudget();
  }
  const latencies = new Float64Array(calls);
  const begin = process.hrtime.bigint();
  let previous = begin;
  for (let i = 0; i < calls; i++) {
    await c.call();
    const now = process.hrtime.bigint();
    latencies[i] = Number(now - previous) / 1000;
    previous = now;
    if ((i & 255) === 0 && Date.now() > deadline) throw new OverBudget();
  }
  const totalS = Number(previous - begin) / 1e9;
  latencies.sort();
  return { p50Us: percentile(latencies, 0.5), p99Us: percentile(latencies, 0.99), callsPerS: calls / totalS };
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<number> {
  const scratch = await scratchDir();
  const cases: Case[] = [];
  let exitCode = 0;
  try {
    // Set up one after the other so a failure names its case; the echo (the reference) is last.
    cases.push(await inProcessCase(method));
    cases.push(await unixSocketCase(scratch.dir, method));
    cases.push(await routerCase(scratch.dir, method));
    cases.push(await echoCase(scratch.dir, method));

    const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
    const loadBefore = loadavg();
    for (let run = 0; run < runs; run++) {
      // Rotate the order from run to run so drift in machine load spreads over all cases.
      const order = cases.map((_, i) => cases[(i + run) % cases.length]!);
      for (const c of order) {
        const sample = await measure(c);
        samples.get(c)!.push(sample);
        console.error(
          `run ${run + 1}/${runs} ${c.name}: p50 ${fmt(sample.p50Us)} µs, p99 ${fmt(sample.p99Us)} µs, ${fmt(sample.callsPerS, 0)} calls/s`,
        );
      }
    }
    const loadAfter = loadavg();

    const summary = cases.map((c) => {
      const s = samples.get(c)!;
      return {
        name: c.name,
        p50Us: median(s.map((x) => x.p50Us)),
        p99Us: median(s.map((x) => x.p99Us)),
        callsPerS: median(s.map((x) => x.callsPerS)),
      };
    });
    const echo = summary[summary.length - 1]!;
    const ratio = (x: number) => (x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));
    console.log(
      `\nMockPower \`${method}\` DriverCall round trip, one call in flight: ${calls} calls after ${warmup} warm-up, ` +
        `median of ${runs} runs. Node ${process.version}, ${cpus().length} CPUs, ` +
        `load average ${loadBefore[0]!.toFixed(2)} before / ${loadAfter[0]!.toFixed(2)} after.\n`,
    );
    console.log("| Case | p50 (µs) | p99 (µs) | calls/s | p50 ÷ echo | p99 ÷ echo | calls/s ÷ echo |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const row of summary) {
      console.log(
        `| ${row.name} | ${fmt(row.p50Us)} | ${fmt(row.p99Us)} | ${fmt(row.callsPerS, 0)} | ` +
          `${ratio(row.p50Us / echo.p50Us)} | ${ratio(row.p99Us / echo.p99Us)} | ` +
          `${ratio(row.callsPerS / echo.callsPerS)} |`,
      );
    }
  } catch (error) {
    if (error instanceof OverBudget)
      console.error(`grpc bench: over the ${budgetMs / 1000} s budget; stopped`);
    else console.error(error);
    exitCode = 1;
  } finally {
    for (const c of cases.reverse()) {
      await c.close().catch((error) => {
        console.error(`closing ${c.name}:`, error);
        exitCode = 1;
      });
    }
    await scratch.remove();
  }
  console.error(`grpc bench: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return exitCode;
}

const code = await main();
process.exitCode = code;
// Nothing should be left open; if something is, say so instead of hanging.
setTimeout(() => {
  console.error(
    "grpc bench: handles still open 5 s after closing everything:",
    process.getActiveResourcesInfo(),
  );
  process.exit(4);
}, 5000).unref();
