// The real Jumpstarter (pinned, in .venv-jumpstarter/ from scripts/ensure-jumpstarter.mjs) as a
// test peer: its `j`/`jmp` CLIs, Python snippets using its client, and dutkit's own CLI beside it.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../..", import.meta.url));
export const VENV = process.env.DUTKIT_JUMPSTARTER_VENV ?? join(REPO, ".venv-jumpstarter");
export const venvBin = (name: string) => join(VENV, "bin", name);

if (!existsSync(venvBin("jmp"))) {
  throw new Error(
    `the pinned Jumpstarter is not installed at ${VENV}: run \`node scripts/ensure-jumpstarter.mjs\` (npm test does)`,
  );
}

/**
 * The environment for Jumpstarter's tools: its venv first on PATH, driver clients allowed (as
 * `jmp shell` allows them), no JMP_ or JUMPSTARTER_ variables of the outer run, and a HOME of its
 * own so `jmp` reads and writes no config of the user's.
 */
export function peerEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(JMP_|JUMPSTARTER_)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    PATH: `${join(VENV, "bin")}:${process.env.PATH ?? ""}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    JMP_DRIVERS_ALLOW: "UNSAFE",
    PYTHONUNBUFFERED: "1",
    NO_COLOR: "1",
    TERM: "dumb",
    COLUMNS: "200",
    ...extra,
  };
}

export interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, bounded; never rejects on a non-zero exit (the test checks it). */
export function runToEnd(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; input?: string },
): Promise<Finished> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd ?? REPO,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.stdin.end(options.input ?? "");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${command} ${args.join(" ")} did not end within ${timeoutMs} ms:\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs a Python snippet with the venv's interpreter (the Jumpstarter client importable). */
export function python(
  code: string,
  options: { env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Finished> {
  return runToEnd(venvBin("python"), ["-c", code], options);
}

/** The dutkit CLI from the sources, as a command line. */
export function dutkitCommand(...args: string[]): [string, string[]] {
  return [
    process.execPath,
    ["--import", join(REPO, "scripts/ts-loader.mjs"), join(REPO, "src/cli/main.ts"), ...args],
  ];
}

export interface Served {
  socket: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `dutkit run --exporter-config F --unix S`, ready once it prints that it serves (bounded). */
export async function serveWithDutkit(config: string, dir: string, timeoutMs = 30_000): Promise<Served> {
  const socket = join(dir, "dutkit-exporter.sock");
  const [command, args] = dutkitCommand("run", "--exporter-config", config, "--unix", socket);
  const child = spawn(command, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => {
    text += d;
  });
  child.stderr!.on("data", (d: Buffer) => {
    text += d;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`dutkit run did not print "serving" within ${timeoutMs} ms:\n${text}`));
    }, timeoutMs);
    const check = () => {
      if (text.includes(`serving`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`dutkit run exited (${code}) before serving:\n${text}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { socket, child, output: () => text, stop };
}

/** A temporary directory for one file's peers, removed by the returned function. */
export async function scratch(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `dutkit-interop-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The JSON results an inner test run wrote; when it wrote none, the error shows what the run printed. */
export async function readInnerResults<T>(path: string, runner: string, output: string): Promise<T> {
  const text = await readFile(path, "utf8").catch((error: Error) => {
    throw new Error(`the inner ${runner} run wrote no results (${error.message}):\n${output}`);
  });
  return JSON.parse(text) as T;
}
