import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { liveProcessesWith, qemuSkipReason, waitUntilGone } from "./__fixtures__/support.ts";

const skipReason = qemuSkipReason();
/** A bound for a whole test; a hang fails it instead of stalling the run. */
const TEST_MS = 120_000;
const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

let runner: ChildProcess | undefined;

afterEach(() => {
  if (runner?.exitCode === null && runner.signalCode === null) runner.kill("SIGKILL");
  runner = undefined;
});

/** Starts a Node process that powers on a QEMU board; resolves with its first output line. */
function startRunner(): Promise<{ name: string; pid: number }> {
  runner = spawn(
    process.execPath,
    [
      "--import",
      fileURLToPath(new URL("../../../scripts/ts-loader.mjs", import.meta.url)),
      fixture("power-on-child.ts"),
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const child = runner;
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`the runner did not power on within 60 s: ${err}`)),
      60_000,
    );
    child.stderr!.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-2000);
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { name: string; pid: number });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the runner exited (${signal ?? code}) before powering on: ${err}`));
    });
  });
}

describe.skipIf(skipReason !== undefined)(
  `no QEMU outlives its runner${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  { timeout: TEST_MS },
  () => {
    test("SIGKILL to the process that powered QEMU on leaves no QEMU behind", async () => {
      const { name, pid } = await startRunner();
      expect(pid).toBe(runner!.pid);
      // The board really runs: its QEMU, the supervisor and its watchdog carry the marker.
      expect(liveProcessesWith(name, "qemu-system")).toHaveLength(1);
      const exited = new Promise((resolve) => runner!.once("exit", resolve));
      runner!.kill("SIGKILL");
      await exited;
      // The watchdog sees its pipe end and stops QEMU: SIGTERM, SIGKILL after the 2 s grace.
      expect(await waitUntilGone(name, 10_000)).toEqual([]);
    });
  },
);
