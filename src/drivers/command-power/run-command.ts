import { spawn } from "node:child_process";
import { DeadlineExceededError, FailedPreconditionError } from "../../core/errors.ts";

const TAIL_CHARS = 400;
const MAX_STDOUT_BYTES = 1 << 20;

/**
 * Runs `command` through `sh -c` within `timeoutSeconds`; resolves with its stdout. The shell
 * leads a process group of its own, so a timeout kills what it started too (`a; sleep 60`).
 */
export function runCommand(what: string, command: string, timeoutSeconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutSeconds * 1000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes <= MAX_STDOUT_BYTES) stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-TAIL_CHARS * 2);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new FailedPreconditionError(`${what}: cannot run \`${command}\`: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const tail = stderr.trim().slice(-TAIL_CHARS);
      const said = tail ? `; stderr: ${tail}` : "";
      if (timedOut) {
        reject(
          new DeadlineExceededError(
            `${what}: \`${command}\` did not finish within ${timeoutSeconds} s and was killed; raise \`timeout\` or fix the command${said}`,
          ),
        );
      } else if (code !== 0) {
        const how = code === null ? `signal ${signal}` : `exit code ${code}`;
        reject(new FailedPreconditionError(`${what}: \`${command}\` failed with ${how}${said}`));
      } else {
        resolve(Buffer.concat(stdout).toString("utf8"));
      }
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}
