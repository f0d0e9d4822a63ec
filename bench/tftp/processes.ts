/** Starting the two servers and timing client processes for the TFTP benchmark. */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import type { TftpServerStats } from "../../src/tftp/index.ts";
import { compiledCli, compiledServerChild } from "./compile.ts";

const HOST = "127.0.0.1";
const CLOCK_TICKS_PER_SECOND = 100;

/** What a server reports when stopped: our server its peak memory and totals, tftpd-hpa nothing. */
export interface ServerReport {
  maxRssKiB?: number;
  stats?: Pick<TftpServerStats, "startedTransfers" | "completedTransfers"> & { retransmits?: number };
}

export interface RunningServer {
  name: string;
  port: number;
  /** CPU seconds the server used so far (processCpuSeconds). */
  cpuSeconds(): number;
  stop(): Promise<ServerReport>;
}

/**
 * CPU seconds a process and its reaped children used so far (utime, stime, cutime, cstime from
 * /proc/PID/stat). tftpd-hpa forks one child per transfer, which its listener reaps; our server
 * is one process. Unlike wall time, this hardly moves when other work shares the machine.
 */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
  return (utime! + stime! + cutime! + cstime!) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds of a forking server: the listener plus every child seen so far. tftpd-hpa's
 * per-transfer children are reaped without their time reaching the listener's cutime, so they
 * are sampled every 10 ms while the server runs (a child's last few ms may be missed).
 */
class ForkingCpuMeter {
  private readonly children = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 10);
  }

  private sample(): void {
    let list = "";
    try {
      list = readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, "utf8");
    } catch {
      return; // the listener is gone
    }
    for (const child of list.split(" ").filter(Boolean).map(Number)) {
      try {
        this.children.set(child, processCpuSeconds(child));
      } catch {
        // exited between listing and reading
      }
    }
  }

  seconds(): number {
    this.sample();
    let total = processCpuSeconds(this.pid);
    for (const value of this.children.values()) total += value;
    return total;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export async function freePort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, HOST, () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Waits until something answers a TFTP request on `port` (bounded). */
async function waitForTftp(port: number): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, HOST, () => resolve()));
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const answered = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 100);
        socket.once("message", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      socket.send(Buffer.from("\0\x01bench-probe-missing\0octet\0"), port, HOST);
      if (await answered) return;
    }
    throw new Error(`no TFTP server answered on port ${port} within 5 s`);
  } finally {
    socket.close();
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

export async function startTftpdHpa(root: string): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn("in.tftpd", ["-L", "-a", `${HOST}:${port}`, "-s", root], { stdio: "ignore" });
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (error) =>
      reject(new Error(`cannot start in.tftpd (apt-get install tftpd-hpa): ${error.message}`)),
    );
  });
  await Promise.race([waitForTftp(port), failed]);
  const meter = new ForkingCpuMeter(child.pid!);
  return {
    name: "tftpd-hpa",
    port,
    cpuSeconds: () => meter.seconds(),
    async stop() {
      meter.stop();
      child.kill("SIGTERM");
      await exited(child);
      return {};
    },
  };
}

export interface OurServerSetup {
  /** "native": octet reads in the native read loop; "javascript": every transfer in JavaScript. */
  engine: "native" | "javascript";
  /** Transfer worker threads (0: all in the server's thread). */
  workers: number;
}

/** Our server in a child process. */
export async function startOurServer(root: string, setup: OurServerSetup): Promise<RunningServer> {
  const args = [root, String(setup.workers), setup.engine];
  const child = fork(compiledServerChild(), args, {
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`our server exited with ${code} before listening`)));
  });
  return {
    name: `dutkit ${setup.engine === "native" ? "native" : "JS"}${setup.workers > 0 ? ` (${setup.workers} workers)` : ""}`,
    port,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    async stop() {
      const report = new Promise<ServerReport>((resolve) => {
        child.once("message", (message) => resolve(message as ServerReport));
      });
      child.send("stop");
      const result = await report;
      await exited(child);
      return result;
    },
  };
}

/** Peak resident memory of a running process (VmHWM, all its threads), in KiB. */
function peakRssKiB(pid: number): number | undefined {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : undefined;
}

/**
 * `dutkit tftp serve --no-native [--workers N]` as a user runs it (the compiled bin, port 0);
 * its port and totals come from the lines it prints. `workers` undefined: the CLI's default.
 */
export async function startCliServer(root: string, workers: number | undefined): Promise<RunningServer> {
  const flags = ["--no-native", ...(workers === undefined ? [] : ["--workers", String(workers)])];
  const args = ["tftp", "serve", "--root", root, "--host", HOST, "--port", "0", "--max-transfers", "256"];
  const child = spawn(process.execPath, [compiledCli(), ...args, ...flags], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dutkit tftp serve did not listen within 30 s: ${stdout}`)),
      30_000,
    );
    child.stdout.on("data", () => {
      const match = /listening on [^ ]+:(\d+) /.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`dutkit tftp serve exited with ${code}: ${stdout}`)));
  });
  return {
    name: `dutkit tftp serve ${flags.join(" ")}`,
    port,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    async stop() {
      const maxRssKiB = peakRssKiB(child.pid!);
      child.kill("SIGTERM");
      await exited(child);
      const totals = /stopped after (\d+) transfers: (\d+) completed/.exec(stdout);
      const stats = totals
        ? { startedTransfers: Number(totals[1]), completedTransfers: Number(totals[2]) }
        : undefined;
      return { maxRssKiB, stats };
    },
  };
}

/** Runs a client command to completion; resolves with its wall time in seconds. */
export function timeClient(command: string, args: readonly string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`${command} ${args.join(" ")} failed: exit ${code ?? signal}`));
    });
  });
}

export const host = HOST;
