import type { CliIo } from "../context.ts";
import { run } from "../program.ts";
import { DEFAULT_WAIT_MS, OutputWatch } from "./output-watch.ts";

/** Runs `dutkit args…` in this process and returns its exit code and what it printed. */
export async function runCli(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

export interface StartedCli {
  /** The exit code, once the command returns. */
  done: Promise<number>;
  output(): { stdout: string; stderr: string };
  /** The first stdout match of `pattern`; fails after `timeoutMs` or if the command returns first. */
  line(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Starts a long-running `dutkit args…` (a server) in this process, for tests to wait on its lines. */
export function startCli(args: readonly string[]): StartedCli {
  const watch = new OutputWatch();
  const io: CliIo = {
    stdout: (text) => watch.append("stdout", text),
    stderr: (text) => watch.append("stderr", text),
  };
  const done = run(args, io);
  void done.then(
    (code) => watch.end(`dutkit ${args[0]} returned ${code}`),
    (error: Error) => watch.end(`dutkit ${args[0]} threw ${error.message}`),
  );
  return {
    done,
    output: () => ({ stdout: watch.stdout, stderr: watch.stderr }),
    line: (pattern, what, timeoutMs = DEFAULT_WAIT_MS) => watch.waitFor(pattern, what, timeoutMs),
  };
}
