import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * A private temporary directory named `<prefix><pid>-XXXXXX`. Those a killed process of ours left
 * under the same prefix (its PID gone) are removed first, so a SIGKILL leaves nothing for good.
 */
export async function ownedTempDir(prefix: string, parent: string = tmpdir()): Promise<string> {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\d+)-[^/]+$`);
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    const match = pattern.exec(name);
    const pid = match ? Number(match[1]) : undefined;
    if (pid !== undefined && pid !== process.pid && !alive(pid)) {
      await rm(join(parent, name), { recursive: true, force: true }).catch(() => {});
    }
  }
  return mkdtemp(join(parent, `${prefix}${process.pid}-`));
}
