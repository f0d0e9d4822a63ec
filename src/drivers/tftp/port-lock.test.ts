// The cross-process lock that makes port-69 users (U-Boot's TFTP) take turns, with real processes.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { acquireLock, lockPath } from "./__fixtures__/port-lock.ts";

const LOADER = fileURLToPath(new URL("../../../scripts/ts-loader.mjs", import.meta.url));
const CHILD = fileURLToPath(new URL("./__fixtures__/lock-child.ts", import.meta.url));

let dir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-port-lock-"));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

function startChild(log: string, hold: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", LOADER, CHILD, dir, "test", log, hold], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

/** Resolves when the child exits with code 0; bounded. */
function exited(child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  let err = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`lock child ${child.pid} did not exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`lock child ${child.pid} ended with ${signal ?? code}: ${err}`));
    });
  });
}

/** Resolves when the child printed that it holds the lock; bounded. */
function locked(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`lock child ${child.pid} did not take the lock within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(`locked ${child.pid}\n`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`lock child ${child.pid} exited (${code}) before taking the lock`));
    });
  });
}

describe("cross-process lock for a fixed port", { timeout: 90_000 }, () => {
  test("holders in four processes never overlap", async () => {
    const log = join(dir, "log");
    await writeFile(log, "");
    const started = [0, 1, 2, 3].map(() => startChild(log, "150"));
    await Promise.all(started.map((child) => exited(child)));
    const lines = (await readFile(log, "utf8")).trim().split("\n");
    expect(lines.filter((line) => line.startsWith("overlap"))).toEqual([]);
    // Strictly enter, leave, enter, leave ... each pair by the same process, each process once.
    const pairs = Array.from({ length: lines.length / 2 }, (_, i) => [lines[2 * i], lines[2 * i + 1]]);
    expect(pairs.map(([enter, leave]) => [enter?.split(" ")[0], leave?.split(" ")[0]])).toEqual(
      Array(4).fill(["enter", "leave"]),
    );
    expect(pairs.every(([enter, leave]) => enter?.split(" ")[1] === leave?.split(" ")[1])).toBe(true);
    expect(new Set(pairs.map(([enter]) => enter)).size).toBe(4);
  });

  test("a lock left by a process that is gone is taken over", async () => {
    const deadPid = Number(
      execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]),
    );
    await writeFile(
      lockPath("test", dir),
      JSON.stringify({ pid: deadPid, holder: "a finished run", since: "2026-01-01T00:00:00Z", nonce: "old" }),
    );
    const lock = await acquireLock("test", { holder: "this test", dir, timeoutMs: 5000, pollMs: 10 });
    expect(lock.owner.pid).toBe(process.pid);
    expect(JSON.parse(await readFile(lock.path, "utf8"))).toMatchObject({
      pid: process.pid,
      holder: "this test",
    });
    await lock.release();
    await expect(readFile(lock.path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  test("waiting for a live holder is bounded and names it; once it is killed, the lock is taken over", async () => {
    const holder = startChild(join(dir, "log"), "forever");
    await locked(holder);
    const waited = await acquireLock("test", { holder: "this test", dir, timeoutMs: 300, pollMs: 20 }).catch(
      (e: unknown) => e,
    );
    expect(waited).toBeInstanceOf(Error);
    expect(String(waited)).toMatch(
      new RegExp(
        `test is still locked by pid ${holder.pid} \\(lock-child ${holder.pid}, holding it since .*\\) after waiting 300 ms`,
      ),
    );
    expect(String(waited)).toMatch(/stop that process: a lock whose process is gone is taken over/);
    const gone = new Promise((resolve) => holder.once("exit", resolve));
    holder.kill("SIGKILL");
    await gone;
    const lock = await acquireLock("test", { holder: "this test", dir, timeoutMs: 5000, pollMs: 20 });
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
  });
});
