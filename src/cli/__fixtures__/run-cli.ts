import type { CliIo } from "../context.ts";
import { run } from "../program.ts";

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
