import { spawn } from "node:child_process";
import type { HookConfig } from "../../config/types.ts";

export interface HookResult {
  ok: boolean;
  /** What went wrong (exit status, timeout, spawn error) and the end of the output. */
  message: string;
}

const OUTPUT_LIMIT = 4096;

/**
 * Runs a beforeLease/afterLease hook script (spec 2.5) with `exec` (default /bin/sh) and the
 * hook env; bounded by `timeout` seconds (default 120), after which the process group is killed.
 */
export function runHook(
  which: "beforeLease" | "afterLease",
  hook: HookConfig,
  env: Record<string, string>,
): Promise<HookResult> {
  const timeoutS = hook.timeout ?? 120;
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(hook.exec ?? "/bin/sh", ["-c", hook.script], {
      env: {
        ...process.env,
        TERM: "dumb",
        DEBIAN_FRONTEND: "noninteractive",
        GIT_TERMINAL_PROMPT: "0",
        JMP_DRIVERS_ALLOW: "UNSAFE",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutS * 1000);
    const tail = () => (output.trim() ? `: ${output.trim().split("\n").slice(-5).join(" | ")}` : "");
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({
        ok: false,
        message: `${which} hook could not start (${error.message}); check hooks.${which}.exec`,
      });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true, message: "" });
      else if (signal === "SIGKILL") {
        resolve({
          ok: false,
          message: `${which} hook timed out after ${timeoutS} s${tail()}; raise hooks.${which}.timeout`,
        });
      } else
        resolve({ ok: false, message: `${which} hook failed with exit status ${code ?? signal}${tail()}` });
    });
  });
}
