/**
 * The exporters and clients of the Jumpstarter interop benchmark, each a process of its own:
 * Jumpstarter's exporter (py-exporter.py) and `dutkit run` (compiled), Jumpstarter's Python
 * client (py-client.py) and dutkit's client (ts-client.ts, compiled).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parse, stringify } from "yaml";
import { peerEnv, REPO, venvBin } from "../../interop/jumpstarter/helpers/peer.ts";
import { compileDutkit } from "./compile.ts";

const HERE = join(REPO, "bench/jumpstarter");
const BOARD = join(HERE, "board.yaml");

/**
 * board.yaml with a Tftp driver (for its `storage`) rooted in `dir`: each exporter gets a root
 * of its own, so one exporter's upload is never the other's download.
 */
function boardIn(dir: string): string {
  const root = join(dir, "tftp-root");
  mkdirSync(root, { recursive: true });
  const config = parse(readFileSync(BOARD, "utf8"));
  config.export.tftp = { type: "jumpstarter_driver_tftp.driver.Tftp", config: { root_dir: root } };
  const file = join(dir, "board.yaml");
  writeFileSync(file, stringify(config));
  return file;
}
const CLOCK_TICKS_PER_SECOND = 100;
const START_TIMEOUT_MS = 60_000;

/**
 * CPU seconds (user + system, all threads) the process itself used so far, from /proc/PID/stat.
 * Children are not counted: neither exporter starts any for this board.
 */
export function ownCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export interface Exporter {
  /** "Python" (Jumpstarter's) or "dutkit". */
  name: string;
  socket: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ClientKind {
  name: string;
  command(args: readonly string[]): [string, string[]];
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Keeps the last 8 KiB a stream printed, for error messages. */
function tail(stream: NodeJS.ReadableStream): () => string {
  let text = "";
  stream.on("data", (d: Buffer) => {
    text = (text + d.toString()).slice(-8192);
  });
  return () => text;
}

/**
 * Spawns an exporter and resolves once a line of its stdout matches `ready` (bounded); the
 * match's first group, if any, is the socket path.
 */
async function startExporter(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  stop: (child: ChildProcess) => void,
): Promise<{ child: ChildProcess; socket: string | undefined }> {
  const child = spawn(command, args, { cwd: REPO, env, stdio: ["pipe", "pipe", "pipe"] });
  const stderr = tail(child.stderr!);
  const lines = createInterface({ input: child.stdout! });
  try {
    const socket = await new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${name} exporter did not print "serving" within ${START_TIMEOUT_MS} ms:\n${stderr()}`),
          ),
        START_TIMEOUT_MS,
      );
      lines.on("line", (line) => {
        const match = ready.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot start the ${name} exporter (${command}): ${error.message}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exporter exited (${code ?? signal}) before serving:\n${stderr()}`));
      });
    });
    return { child, socket };
  } catch (error) {
    stop(child);
    await exited(child);
    throw error;
  }
}

/** Ends an exporter: `polite` first, SIGKILL if it is still there 10 s later. */
async function stopExporter(child: ChildProcess, polite: (child: ChildProcess) => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  polite(child);
  await exited(child);
  clearTimeout(killer);
}

/** Jumpstarter's exporter, served on a unix socket of its choosing as `jmp shell` serves it. */
export async function startPythonExporter(home: string): Promise<Exporter> {
  const polite = (child: ChildProcess) => child.stdin!.end();
  const dir = join(home, "python-exporter");
  mkdirSync(dir, { recursive: true });
  const { child, socket } = await startExporter(
    "Jumpstarter's",
    venvBin("python"),
    [join(HERE, "py-exporter.py"), boardIn(dir)],
    peerEnv(home),
    /^serving (.+)$/,
    polite,
  );
  return { name: "Python", socket: socket!, pid: child.pid!, stop: () => stopExporter(child, polite) };
}

/** `dutkit run --exporter-config board.yaml --unix S`, compiled. */
export async function startDutkitExporter(home: string): Promise<Exporter> {
  const dir = join(home, "dutkit-exporter");
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, "dutkit-exporter.sock");
  const polite = (child: ChildProcess) => child.kill("SIGTERM");
  const { child } = await startExporter(
    "dutkit's",
    process.execPath,
    [compileDutkit().cli, "run", "--exporter-config", boardIn(dir), "--unix", socket],
    process.env,
    /^serving /,
    polite,
  );
  return { name: "dutkit", socket, pid: child.pid!, stop: () => stopExporter(child, polite) };
}

export const pythonClient: ClientKind = {
  name: "Python",
  command: (args) => [venvBin("python"), [join(HERE, "py-client.py"), ...args]],
};

export const dutkitClient: ClientKind = {
  name: "dutkit",
  command: (args) => [process.execPath, [compileDutkit().client, ...args]],
};

export interface ClientRun {
  /** What the client printed after "result ". */
  result: unknown;
  /** The exporter's CPU seconds between each "mark begin" and the "mark end" after it, in order. */
  exporterCpuS: number[];
}

/**
 * Runs one client to its end against `exporter` (bounded by `timeoutMs`), reading the
 * exporter's CPU time at the client's marks.
 */
export function runClient(
  client: ClientKind,
  exporter: Exporter,
  args: readonly string[],
  home: string,
  timeoutMs: number,
): Promise<ClientRun> {
  const [command, commandArgs] = client.command(args);
  const what = `${client.name} client (${args.join(" ")}) against the ${exporter.name} exporter`;
  const child = spawn(command, commandArgs, {
    cwd: REPO,
    env: peerEnv(home, { JUMPSTARTER_HOST: exporter.socket }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stderr = tail(child.stderr!);
  const lines = createInterface({ input: child.stdout! });
  return new Promise<ClientRun>((resolve, reject) => {
    let cpuAtBegin: number | undefined;
    const exporterCpuS: number[] = [];
    let result: unknown;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} did not finish within ${timeoutMs} ms:\n${stderr()}`));
    }, timeoutMs);
    lines.on("line", (line) => {
      if (line === "mark begin") {
        cpuAtBegin = ownCpuSeconds(exporter.pid);
        child.stdin!.write("go\n");
      } else if (line === "mark end") {
        if (cpuAtBegin !== undefined) exporterCpuS.push(ownCpuSeconds(exporter.pid) - cpuAtBegin);
        cpuAtBegin = undefined;
        child.stdin!.write("go\n");
      } else if (line.startsWith("result ")) {
        result = JSON.parse(line.slice("result ".length));
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start the ${what}: ${error.message}`));
    });
    // "close", not "exit": by then readline has seen every line the client printed.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${what} failed (exit ${code ?? signal}):\n${stderr()}`));
      else if (result === undefined || exporterCpuS.length === 0) {
        reject(new Error(`${what} exited without a begin and end mark and a result line:\n${stderr()}`));
      } else resolve({ result, exporterCpuS });
    });
  });
}
