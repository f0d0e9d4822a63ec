/**
 * A lock across processes for a fixed port (U-Boot's TFTP needs the host's UDP port 69), so test
 * files in different vitest workers and projects take turns instead of colliding.
 *
 * The lock is a file in the OS temp dir created exclusively (O_EXCL) holding the owner's PID.
 * A lock whose owner is gone is taken over; changing a lock file that is not ours goes through a
 * second exclusive file, so two waiters never both take over the same stale lock.
 */
import { randomUUID } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LockOwner {
  pid: number;
  /** What holds it, e.g. the test file. */
  holder: string;
  since: string;
  nonce: string;
}

export interface LockOptions {
  /** What holds it, named in the error a waiter gets. */
  holder: string;
  /** How long to wait for the lock before failing. */
  timeoutMs?: number;
  /** How often to look again while another process holds it. */
  pollMs?: number;
  /** Directory of the lock file; the OS temp dir unless given (tests). */
  dir?: string;
}

export interface HeldLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/** A lock file whose content could not be read after this long is a creator that died mid-way. */
const UNREADABLE_STALE_MS = 5000;

export function lockPath(name: string, dir = tmpdir()): string {
  return join(dir, `dutkit-${name}.lock`);
}

/** The lock for `port` on this machine, e.g. `acquirePortLock(69, { holder: import.meta.url })`. */
export function acquirePortLock(port: number, options: LockOptions): Promise<HeldLock> {
  return acquireLock(`port-${port}`, options);
}

export async function acquireLock(name: string, options: LockOptions): Promise<HeldLock> {
  const path = lockPath(name, options.dir);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  const owner: LockOwner = {
    pid: process.pid,
    holder: options.holder,
    since: new Date().toISOString(),
    nonce: randomUUID(),
  };
  let seen: LockOwner | string = "a process that is still writing the lock file";
  // Bounded in time (the deadline) and in count: a vanished file or a stale one taken over is
  // tried again at once, everything else after `pollMs`.
  const maxAttempts = 2 * Math.ceil(timeoutMs / pollMs) + 10;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (await createExclusive(path, JSON.stringify(owner))) {
      return { path, owner, release: () => removeIfOurs(path, owner.nonce) };
    }
    const current = await readOwner(path);
    if (current === "gone") continue;
    if (current === "stale-unreadable" || (current !== "being-written" && !isAlive(current.pid))) {
      if (await takeOverStale(path, current)) continue;
    } else if (current !== "being-written") {
      seen = current;
    }
    if (Date.now() + pollMs > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const who =
    typeof seen === "string" ? seen : `pid ${seen.pid} (${seen.holder}, holding it since ${seen.since})`;
  throw new Error(
    `${name} is still locked by ${who} after waiting ${timeoutMs} ms (lock file ${path}). ` +
      "Wait for that run to finish, or stop that process: a lock whose process is gone is taken over.",
  );
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await file.writeFile(content);
  } finally {
    await file.close();
  }
  return true;
}

type ReadOwner = LockOwner | "gone" | "being-written" | "stale-unreadable";

async function readOwner(path: string): Promise<ReadOwner> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && typeof owner.nonce === "string") return owner;
  } catch {}
  // Being written right now, or its creator died before writing: only old ones are stale.
  const age = await stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  return age > UNREADABLE_STALE_MS ? "stale-unreadable" : "being-written";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function nonceOf(owner: ReadOwner): string | undefined {
  return typeof owner === "string" ? undefined : owner.nonce;
}

/**
 * Removes the stale lock unless someone replaced it meanwhile, one process at a time; true when
 * the lock file is gone now. A guard left by a waiter that died is removed after a while.
 */
async function takeOverStale(path: string, stale: LockOwner | "stale-unreadable"): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard, String(process.pid)))) {
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > UNREADABLE_STALE_MS) await unlink(guard).catch(() => {});
    return false;
  }
  try {
    const current = await readOwner(path);
    if (current === "gone") return true;
    const same = stale === "stale-unreadable" ? current === stale : nonceOf(current) === stale.nonce;
    if (!same) return false;
    await unlink(path);
    return true;
  } finally {
    await unlink(guard).catch(() => {});
  }
}

async function removeIfOurs(path: string, nonce: string): Promise<void> {
  if (nonceOf(await readOwner(path)) === nonce) await unlink(path);
}
