// Runs `dutkit` from the sources in a child process, so tests can send it real signals.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { OutputWatch } from "./output-watch.ts";

const register = fileURLToPath(new URL("../../../scripts/ts-loader.mjs", import.meta.url));
const main = fileURLToPath(new URL("../main.ts", import.meta.url));

/**
 * How long a child gets to print a line. Starting dutkit from the sources compiles them first,
 * which takes seconds of CPU on a busy machine; tests that spawn get a 120 s timeout.
 */
export const SPAWN_WAIT_MS = 60_000;

/** The command line that runs dutkit from the sources, for a shell script or a child's own child. */
export const DUTKIT_ARGV: readonly string[] = [process.execPath, "--import", register, main];

export interface SpawnedCli {
  child: ChildProcessWithoutNullStreams;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /**
   * Resolves with the first stdout match of `pattern`; rejects, naming `what` and showing the
   * output, after `timeoutMs` or if the process exits first.
   */
  line(pattern: RegExp, what?: string, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<number | string>;
  /** Sends `signal` and resolves with how the process ended; rejects, with its output, if it has not within `timeoutMs`. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

export function spawnCli(args: readonly string[], env: Record<string, string | undefined> = {}): SpawnedCli {
  const [file, ...rest] = DUTKIT_ARGV;
  const child = spawn(file!, [...rest, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const watch = new OutputWatch();
  child.stdout.on("data", (chunk: Buffer) => watch.append("stdout", chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => watch.append("stderr", chunk.toString()));
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  // "close" comes after the last output; "exit" may come before it.
  child.once("close", (code, signal) => watch.end(`dutkit exited (${code ?? signal})`));
  return {
    child,
    output: () => ({ stdout: watch.stdout, stderr: watch.stderr }),
    line: (pattern, what = `a line of dutkit ${args.slice(0, 2).join(" ")}`, timeoutMs = SPAWN_WAIT_MS) =>
      watch.waitFor(pattern, what, timeoutMs),
    exited,
    stop: (signal, timeoutMs = SPAWN_WAIT_MS) => {
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const { stdout, stderr } = watch;
          reject(
            new Error(
              `dutkit did not exit within ${timeoutMs} ms of ${signal}; stdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs);
      });
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    },
  };
}
