// Runs `dutkit` from the sources in a child process, so tests can send it real signals.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { DEFAULT_WAIT_MS, OutputWatch } from "./output-watch.ts";

const register = fileURLToPath(new URL("../../../scripts/ts-loader.mjs", import.meta.url));
const main = fileURLToPath(new URL("../main.ts", import.meta.url));

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
    line: (pattern, what = `a line of dutkit ${args.slice(0, 2).join(" ")}`, timeoutMs = DEFAULT_WAIT_MS) =>
      watch.waitFor(pattern, what, timeoutMs),
    exited,
  };
}
