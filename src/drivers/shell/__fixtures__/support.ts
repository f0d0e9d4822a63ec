import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Test helpers shared by the Shell tests (not part of the package's API).
 */

/** A bash function a script can call to block until the test creates a file: `wait_for "$1/go"`. */
export const WAIT_FOR = 'wait_for() { while [ ! -e "$1" ]; do sleep 0.02; done; }; ';

export function makeTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "dutkit-shell-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function touch(path: string): void {
  writeFileSync(path, "");
}

/**
 * Whether a process is gone. A zombie counts as gone: where the init process does not reap
 * orphans (as in many containers), a killed orphan stays a zombie and still answers signal 0.
 */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}
