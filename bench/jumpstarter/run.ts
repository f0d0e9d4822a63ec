/**
 * Jumpstarter interop benchmark: the four client→exporter pairs Python→Python, Python→dutkit,
 * dutkit→Python and dutkit→dutkit, in one run, on the same board (board.yaml: MockPower, a
 * PySerial on loop://, and a Tftp whose storage each exporter roots in a directory of its own).
 *
 *   npm run bench -- jumpstarter                  (options: npm run bench -- jumpstarter -- --runs 5)
 *   node --import ./scripts/ts-loader.mjs bench/jumpstarter/run.ts [--runs 5] [--calls 5000]
 *        [--warmup 500] [--serial-mib 32] [--chunk-kib 64] [--storage-mib 256]
 *        [--cases rtt,serial,storage] [--budget-s 1800]
 *
 * Python exporter: Jumpstarter 0.9's own, served on a unix socket as `jmp shell --exporter-config`
 * serves it (py-exporter.py). dutkit exporter: `dutkit run --exporter-config board.yaml --unix S`,
 * compiled to JavaScript first. Clients: py-client.py (jumpstarter.utils.env.env()) and
 * ts-client.ts (GrpcTransport + buildClientTree, compiled), one process per case and run, each
 * timing itself. Exporter CPU: /proc/PID/stat (utime + stime) read at the client's marks around
 * the timed part. Each run does every pair in a rotated order, reversed every other run;
 * the tables show medians over the runs and ratios to Python→Python. Needs Jumpstarter's venv:
 * DUTKIT_JUMPSTARTER_VENV, or .venv-jumpstarter from scripts/ensure-jumpstarter.mjs.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { cpus, loadavg, release } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { scratch, VENV, venvBin } from "../../interop/jumpstarter/helpers/peer.ts";
import { CASES as ALL_CASES, type Case, type Pair, type Settings, sha256Of } from "./cases.ts";
import { compileDutkit } from "./compile.ts";
import {
  dutkitClient,
  type Exporter,
  pythonClient,
  startDutkitExporter,
  startPythonExporter,
} from "./processes.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    calls: { type: "string", default: "5000" },
    warmup: { type: "string", default: "500" },
    "serial-mib": { type: "string", default: "32" },
    "chunk-kib": { type: "string", default: "64" },
    "storage-mib": { type: "string", default: "256" },
    cases: { type: "string", default: ALL_CASES.map((c) => c.id).join(",") },
    "budget-s": { type: "string", default: "1800" },
  },
});
const positiveInt = (name: string, text: string | undefined, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer in 1..${max}`);
  return n;
};
const runs = positiveInt("runs", values.runs, 50);
const calls = positiveInt("calls", values.calls, 1_000_000);
const warmup = positiveInt("warmup", values.warmup, 1_000_000);
const serialMiB = positiveInt("serial-mib", values["serial-mib"], 1024);
const chunkKiB = positiveInt("chunk-kib", values["chunk-kib"], 1024);
const storageMiB = positiveInt("storage-mib", values["storage-mib"], 4096);
const CASES = (values.cases ?? "").split(",").map((id) => {
  const found = ALL_CASES.find((c) => c.id === id);
  if (!found)
    throw new Error(`--cases: no case "${id}"; the cases are ${ALL_CASES.map((c) => c.id).join(", ")}`);
  return found;
});
const budgetMs = positiveInt("budget-s", values["budget-s"], 7200) * 1000;

const started = Date.now();
const watchdog = setTimeout(() => {
  console.error(`jumpstarter bench: still running ${budgetMs / 1000 + 60} s after the start; giving up`);
  process.exit(3);
}, budgetMs + 60_000);
watchdog.unref();

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fixed = (n: number, digits: number) => n.toFixed(digits);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

function versions(): string {
  const py = spawnSync(
    venvBin("python"),
    [
      "-c",
      "import importlib.metadata as m, platform; print(m.version('jumpstarter'), platform.python_version())",
    ],
    { encoding: "utf8", timeout: 30_000 },
  );
  const [jumpstarter, python] = (py.stdout ?? "").trim().split(" ");
  return `Jumpstarter ${jumpstarter ?? "?"} (Python ${python ?? "?"}, ${VENV}), Node ${process.version}`;
}

/** Pair order of run `run`: rotated by the run's number, reversed every other run. */
function orderOf(pairs: readonly Pair[], run: number): Pair[] {
  const rotated = pairs.map((_, i) => pairs[(i + run) % pairs.length]!);
  return run % 2 ? rotated.reverse() : rotated;
}

/** raw.get(case)[pair label] = one array of row values per run. */
type Raw = Map<Case, Record<string, number[][]>>;

function printTables(pairs: readonly Pair[], raw: Raw): void {
  const [base, ...others] = pairs;
  const head = ["row", ...pairs.map((p) => p.label), ...others.map((p) => `${p.label} ÷ ${base!.label}`)];
  console.log(`| ${head.join(" | ")} |\n|${head.map((_, i) => (i ? " ---: " : " --- ")).join("|")}|`);
  const verdict: string[] = [];
  for (const c of CASES) {
    const byPair = raw.get(c)!;
    c.rows.forEach((row, r) => {
      const m = new Map(pairs.map((p) => [p.label, median(byPair[p.label]!.map((values) => values[r]!))]));
      const cells = pairs.map((p) => fixed(m.get(p.label)!, row.digits));
      const ratios = others.map((p) => fixed(m.get(p.label)! / m.get(base!.label)!, 2));
      console.log(`| ${row.name} | ${[...cells, ...ratios].join(" | ")} |`);
      // Same client, dutkit's exporter against Jumpstarter's.
      const perClient = ["Python", "dutkit"].map((client) => {
        const ratio = m.get(`${client}→dutkit`)! / m.get(`${client}→Python`)!;
        const met = row.better === "lower" ? ratio <= 1 : ratio >= 1;
        return `${ratio.toFixed(2)} (${met ? "met" : "not met"})`;
      });
      verdict.push(`| ${row.name} (${row.better} is better) | ${perClient.join(" | ")} |`);
    });
  }
  console.log(
    "\nGoal: dutkit's exporter at least as fast as Jumpstarter's for each client. " +
      "dutkit exporter ÷ Jumpstarter exporter, same client, medians:\n",
  );
  console.log("| row | Python client | dutkit client |\n| --- | ---: | ---: |");
  for (const line of verdict) console.log(line);
}

function printRaw(pairs: readonly Pair[], raw: Raw): void {
  console.log("\nRaw runs (in run order, each pair's own runs):\n\n```");
  for (const c of CASES) {
    const byPair = raw.get(c)!;
    c.rows.forEach((row, r) => {
      console.log(row.name);
      for (const p of pairs) {
        const xs = byPair[p.label]!.map((values) => fixed(values[r]!, row.digits));
        console.log(`  ${p.label.padEnd(15)} [${xs.join(" ")}]`);
      }
    });
  }
  console.log("```");
}

async function main(): Promise<number> {
  const loadBefore = load();
  console.log(
    `Jumpstarter interop benchmark, ${new Date().toISOString()}: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ` +
      `Linux ${release()}, ${versions()}.`,
  );
  console.log(`Load average at the start: ${loadBefore}.`);
  const chunkBytes = chunkKiB * 1024;
  console.log(
    `Per run and pair: ${calls} MockPower \`on\` calls after ${warmup} warm-up; ${serialMiB} MiB through ` +
      `loop:// in ${chunkKiB} KiB writes (after a 1 MiB warm-up), read back concurrently and compared; ` +
      `a ${storageMiB} MiB random file uploaded to the Tftp's storage and downloaded again, compared by ` +
      `SHA-256. ${runs} runs of the cases ${CASES.map((c) => c.id).join(", ")}. MB = 10^6 bytes.`,
  );
  compileDutkit();
  const temp = await scratch("jumpstarter-bench");
  const exporters: Exporter[] = [];
  let exitCode = 0;
  try {
    const python = await startPythonExporter(temp.dir);
    exporters.push(python);
    const dutkit = await startDutkitExporter(temp.dir);
    exporters.push(dutkit);
    const pairs: Pair[] = [];
    for (const client of [pythonClient, dutkitClient]) {
      for (const exporter of [python, dutkit]) {
        pairs.push({ label: `${client.name}→${exporter.name}`, client, exporter });
      }
    }
    const storageSource = { path: join(temp.dir, "storage-source.bin"), bytes: storageMiB * 1024 * 1024 };
    await writeFile(storageSource.path, randomBytes(storageSource.bytes));
    const settings: Settings = {
      storageSource: { ...storageSource, sha256: await sha256Of(storageSource.path) },
      calls,
      warmup,
      serialBytes: serialMiB * 1024 * 1024,
      chunkBytes,
      serialWarmupBytes: Math.min(1024 * 1024, serialMiB * 1024 * 1024),
      home: temp.dir,
    };
    const raw: Raw = new Map(CASES.map((c) => [c, Object.fromEntries(pairs.map((p) => [p.label, []]))]));
    console.log("");
    for (let run = 0; run < runs; run++) {
      for (const pair of orderOf(pairs, run)) {
        for (const c of CASES) {
          if (Date.now() - started > budgetMs)
            throw new Error(`over the ${budgetMs / 1000} s budget; stopped`);
          const values = await c.measure(pair, settings);
          raw.get(c)![pair.label]!.push(values);
          const shown = c.rows.map((row, r) => `${row.name} ${fixed(values[r]!, row.digits)}`).join(", ");
          console.log(`run ${run + 1}/${runs} ${pair.label}: ${shown}`);
        }
      }
    }
    console.log(`\nLoad average at the end: ${load()} (start: ${loadBefore}). Medians of ${runs} runs:\n`);
    printTables(pairs, raw);
    printRaw(pairs, raw);
  } catch (error) {
    console.error("jumpstarter bench:", error instanceof Error ? error.message : error);
    exitCode = 1;
  } finally {
    for (const exporter of exporters.reverse()) await exporter.stop();
    await temp.remove();
  }
  console.error(`jumpstarter bench: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return exitCode;
}

process.exitCode = await main();
