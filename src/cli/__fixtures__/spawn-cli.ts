// Runs `dutkit` from the sources in a child process, so tests can send it real signals.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const register = fileURLToPath(new URL("../../../scripts/ts-loader.mjs", import.meta.url));
const main = fileURLToPath(new URL("../main.ts", import.meta.url));

export interface SpawnedCli {
  child: ChildProcessWithoutNullStreams;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the first stdout line matching `pattern` (rejects if the process exits first). */
  line(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<number | string>;
}

export function spawnCli(args: readonly string[]): SpawnedCli {
  const child = spawn(process.execPath, ["--import", register, main, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }[] =
    [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(stdout);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  void exited.then(() => {
    for (const waiter of waiters.splice(0)) {
      waiter.reject(
        new Error(`dutkit exited before printing ${waiter.pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`),
      );
    }
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    line: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
        if (child.exitCode !== null) void exited.then(() => check());
      }),
    exited,
  };
}
