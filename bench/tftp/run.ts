/**
 * TFTP benchmark: our server against tftpd-hpa on loopback, with the same real clients.
 *
 *   npm run bench:tftp -- [--runs 5]   (node --import ./scripts/ts-loader.mjs bench/tftp/run.ts)
 *     [--sections single,concurrency,windowsize] [--only TEXT] [--workers N]
 *     [--library native,js] [--cli-workers default,0,2|none]
 *
 * Our server runs as a library in a child process (--library): with the native read loop
 * (octet reads of files in a thread each; needs `npm run build:native`) and in JavaScript only,
 * with --workers transfer worker threads (default: one per CPU; 0 runs every transfer in the
 * server's thread). It also runs as users run it, `dutkit tftp serve --no-native`, once per
 * --cli-workers entry ("default": without --workers, a number: --workers N).
 * --only keeps the single-client cases whose label contains TEXT.
 *
 * Needs tftp-hpa, busybox and tftpd-hpa (in.tftpd) installed, and root (in.tftpd chroots).
 * Prints markdown tables: median wall times over alternating runs, ratio ours / tftpd-hpa,
 * server CPU time, 50 concurrent clients with our peak RSS, windowsize 1 vs 16.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { download } from "../../conformance/tftp/helpers/raw-client.ts";
import {
  host,
  type OurServerSetup,
  type RunningServer,
  startCliServer,
  startOurServer,
  startTftpdHpa,
  timeClient,
} from "./processes.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    sections: { type: "string", default: "single,concurrency,windowsize" },
    only: { type: "string" },
    workers: { type: "string", default: String(availableParallelism()) },
    library: { type: "string", default: "native,js" },
    "cli-workers": { type: "string", default: "default" },
  },
});
const runs = Math.max(1, Number(values.runs));
const workers = Math.max(0, Number(values.workers));
const sections = new Set(values.sections.split(","));
const BIG = { name: "big.bin", bytes: 64 << 20 };
const MEDIUM = { name: "m8.bin", bytes: 8 << 20 };
const CONCURRENT_CLIENTS = 50;
const NATIVE: OurServerSetup = { engine: "native", workers: 0 };
const JAVASCRIPT: OurServerSetup = { engine: "javascript", workers };
const library = new Set(values.library.split(","));
const cliWorkers = values["cli-workers"]
  .split(",")
  .filter((entry) => entry !== "none")
  .map((entry) => (entry === "default" ? undefined : Math.max(0, Number(entry))));

/** tftpd-hpa first (the ratios' reference), then ours as --library and --cli-workers ask. */
async function startServers(root: string): Promise<RunningServer[]> {
  const servers = [await startTftpdHpa(root)];
  if (library.has("native")) servers.push(await startOurServer(root, NATIVE));
  if (library.has("js")) servers.push(await startOurServer(root, JAVASCRIPT));
  for (const count of cliWorkers) servers.push(await startCliServer(root, count));
  return servers;
}

interface ClientCase {
  label: string;
  command: string;
  args: (port: number, output: string) => string[];
}

const cases: ClientCase[] = [
  {
    label: "tftp-hpa client, 512 B blocks",
    command: "tftp",
    args: (port, out) => [host, String(port), "-m", "binary", "-c", "get", BIG.name, out],
  },
  ...[512, 1468, 65464].map((blksize) => ({
    label: `busybox -b ${blksize}`,
    command: "busybox",
    args: (port: number, out: string) => [
      "tftp",
      "-g",
      "-r",
      BIG.name,
      "-l",
      out,
      "-b",
      String(blksize),
      host,
      String(port),
    ],
  })),
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

async function makeFile(root: string, name: string, bytes: number): Promise<string> {
  const path = join(root, name);
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes; offset += 1 << 20)
    pieces.push(randomBytes(Math.min(1 << 20, bytes - offset)));
  await writeFile(path, Buffer.concat(pieces), { mode: 0o644 });
  return sha256(path);
}

async function verify(path: string, bytes: number, hash: string | undefined): Promise<void> {
  const size = (await stat(path)).size;
  if (size !== bytes) throw new Error(`${path}: got ${size} bytes, expected ${bytes}`);
  if (hash !== undefined && (await sha256(path)) !== hash) throw new Error(`${path}: content differs`);
}

function seconds(value: number): string {
  return value.toFixed(3);
}

async function timeCase(server: RunningServer, clientCase: ClientCase, out: string) {
  await rm(out, { force: true });
  const cpuBefore = server.cpuSeconds();
  const seconds = await timeClient(clientCase.command, clientCase.args(server.port, out));
  // tftpd-hpa's per-transfer child counts once reaped, which follows the client's exit closely.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { seconds, cpu: server.cpuSeconds() - cpuBefore };
}

async function singleClientTable(out: string, servers: RunningServer[], bigHash: string): Promise<string> {
  const names = servers.map((s) => s.name);
  const lines = [
    `| client | ${names.map((n) => `${n} s`).join(" | ")} | ${names
      .slice(1)
      .map((n) => `${n} / ${names[0]}`)
      .join(" | ")} | ${names.map((n) => `${n} CPU s`).join(" | ")} |`,
    `|${" --- |".repeat(servers.length * 3)}`,
  ];
  for (const clientCase of cases.filter((c) => values.only === undefined || c.label.includes(values.only))) {
    const times = servers.map(() => [] as number[]);
    const cpu = servers.map(() => [] as number[]);
    for (const server of servers) {
      await timeCase(server, clientCase, out); // warm-up, not counted
      await verify(out, BIG.bytes, bigHash);
    }
    for (let run = 0; run < runs; run++) {
      // Alternate the order so drifting machine load hits every server alike.
      const order = servers.map((_, index) => index);
      if (run % 2 === 1) order.reverse();
      for (const index of order) {
        const measured = await timeCase(servers[index]!, clientCase, out);
        times[index]!.push(measured.seconds);
        cpu[index]!.push(measured.cpu);
        await verify(out, BIG.bytes, undefined);
      }
    }
    const medians = times.map(median);
    const ratios = medians.slice(1).map((m) => (m / medians[0]!).toFixed(2));
    const cpuMedians = cpu.map((c) => median(c).toFixed(2));
    lines.push(
      `| ${clientCase.label} | ${medians.map(seconds).join(" | ")} | ${ratios.join(" | ")} | ${cpuMedians.join(" | ")} |`,
    );
    console.error(`${clientCase.label}: ${JSON.stringify(times.map((t) => t.map(seconds)))}`);
  }
  return lines.join("\n");
}

async function concurrentRun(server: RunningServer, root: string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT_CLIENTS }, (_, i) =>
      timeClient("busybox", [
        "tftp",
        "-g",
        "-r",
        MEDIUM.name,
        "-l",
        join(root, `c${i}.out`),
        host,
        String(server.port),
      ]),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (let i = 0; i < CONCURRENT_CLIENTS; i++) await verify(join(root, `c${i}.out`), MEDIUM.bytes, undefined);
  return elapsed;
}

/** Wall time and server CPU time of one concurrent run. */
async function measuredConcurrentRun(server: RunningServer, root: string) {
  const cpuBefore = server.cpuSeconds();
  const elapsed = await concurrentRun(server, root);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { elapsed, cpu: server.cpuSeconds() - cpuBefore };
}

async function concurrencyTable(root: string, clientsRoot: string): Promise<string> {
  const servers = await startServers(root);
  const times = servers.map(() => [] as number[]);
  const cpu = servers.map(() => [] as number[]);
  const concurrentRuns = Math.min(runs, 3);
  for (let run = 0; run < concurrentRuns; run++) {
    const order = servers.map((_, index) => index);
    if (run % 2 === 1) order.reverse();
    for (const index of order) {
      const measured = await measuredConcurrentRun(servers[index]!, clientsRoot);
      times[index]!.push(measured.elapsed);
      cpu[index]!.push(measured.cpu);
    }
  }
  const hpaMedian = median(times[0]!);
  const lines = [
    `| ${CONCURRENT_CLIENTS} busybox clients x 8 MiB, 512 B blocks, median of ${concurrentRuns} | wall s | ratio to tftpd-hpa | server CPU s | peak RSS MiB | transfers not completed | retransmits |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [index, server] of servers.entries()) {
    const { maxRssKiB, stats } = await server.stop();
    const wall = median(times[index]!);
    const notCompleted = stats
      ? `${stats.startedTransfers - stats.completedTransfers} of ${stats.startedTransfers}`
      : "-";
    const rss = maxRssKiB === undefined ? "-" : (maxRssKiB / 1024).toFixed(0);
    lines.push(
      `| ${server.name} | ${seconds(wall)} | ${(wall / hpaMedian).toFixed(2)} | ${median(cpu[index]!).toFixed(2)} | ${rss} | ${notCompleted} | ${stats?.retransmits ?? "-"} |`,
    );
  }
  return lines.join("\n");
}

async function windowsizeTable(root: string, mediumHash: string): Promise<string> {
  const ours = await startOurServer(root, NATIVE);
  const lines = [
    "| raw client, 8 MiB | blksize | windowsize | median s | MiB/s |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const blksize of [512, 1468]) {
    for (const windowsize of [1, 16]) {
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const result = await download(ours.port, MEDIUM.name, { blksize, windowsize, deadlineMs: 120_000 });
        times.push((performance.now() - started) / 1000);
        if (result.error || createHash("sha256").update(result.data).digest("hex") !== mediumHash) {
          throw new Error(
            `windowsize ${windowsize} download was not byte-exact: ${JSON.stringify(result.error)}`,
          );
        }
      }
      const m = median(times);
      lines.push(`| ours | ${blksize} | ${windowsize} | ${seconds(m)} | ${(8 / m).toFixed(1)} |`);
    }
  }
  await ours.stop();
  return lines.join("\n");
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "dutkit-tftp-bench-"));
  const clientsRoot = await mkdtemp(join(tmpdir(), "dutkit-tftp-bench-out-"));
  await chmod(root, 0o755); // in.tftpd drops to user nobody inside its chroot
  try {
    const bigHash = await makeFile(root, BIG.name, BIG.bytes);
    const mediumHash = await makeFile(root, MEDIUM.name, MEDIUM.bytes);
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    console.log(
      `Node ${process.version}, ${cpus().length} CPUs (${cpu}), Linux ${release()}, ${runs} runs, load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(" ")} at the start\n`,
    );
    if (sections.has("single")) {
      const servers = await startServers(root);
      try {
        console.log(`64 MiB file, median wall time of ${runs} alternating runs:\n`);
        console.log(await singleClientTable(join(clientsRoot, "single.out"), servers, bigHash));
        console.log(
          "\nCPU s: the server process's own CPU time per run (user + system, median), from /proc; the clients are the same.",
        );
      } finally {
        for (const server of servers) {
          const { stats } = await server.stop();
          if (stats) {
            console.log(
              `${server.name}: ${stats.startedTransfers} transfers, ${stats.startedTransfers - stats.completedTransfers} not completed, ${stats.retransmits ?? "-"} retransmits`,
            );
          }
        }
      }
    }
    if (sections.has("concurrency")) console.log(`\n${await concurrencyTable(root, clientsRoot)}`);
    if (sections.has("windowsize")) console.log(`\n${await windowsizeTable(root, mediumHash)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(clientsRoot, { recursive: true, force: true });
  }
}

await main();
