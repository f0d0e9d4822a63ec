import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { liveProcessesWith, waitUntilGone, whenEvent } from "./__fixtures__/support.ts";
import { SupervisedProcess } from "./supervised-process.ts";

/** A program for the supervisor: `script` under sh, with a unique marker on its command line. */
function program(script: string) {
  const marker = `dutkit-test-${randomUUID()}`;
  return { marker, args: ["-c", script, marker] };
}

/** Sleeps in short steps for at most 60 s, so a SIGKILL of the shell leaves no long sleeper. */
const NAP = "i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";

/** Waits (at most 5 s) until the program has said it is ready: its signal handling is set up. */
async function ready(supervised: SupervisedProcess): Promise<void> {
  const said = () => supervised.stderrTail() === "ready";
  await whenEvent(supervised, "stderr", said, 'the program to print "ready" on stderr', 5000);
}

describe("SupervisedProcess", { timeout: 30_000 }, () => {
  test("stop() ends a program that obeys SIGTERM, within the grace period", async () => {
    const { marker, args } = program(`trap 'exit 143' TERM; echo ready >&2; ${NAP}`);
    const supervised = await SupervisedProcess.start("/bin/sh", args, 10_000);
    await ready(supervised);
    expect(liveProcessesWith(marker).length).toBeGreaterThan(0);
    await supervised.stop(10_000);
    expect(await supervised.exited).toEqual({ code: 143, signal: null });
    expect(await waitUntilGone(marker, 5000)).toEqual([]);
  });

  test("stop() kills a program that ignores SIGTERM once the grace period is over", async () => {
    const { marker, args } = program(`trap '' TERM; echo ready >&2; ${NAP}`);
    const supervised = await SupervisedProcess.start("/bin/sh", args, 300);
    await ready(supervised);
    await supervised.stop(300);
    // 128 + 9: the supervisor reports its program was killed by SIGKILL.
    expect(await supervised.exited).toEqual({ code: 137, signal: null });
    expect(await waitUntilGone(marker, 5000)).toEqual([]);
  });

  test("a program that ends by itself ends its supervisor and watchdog, with its status and stderr", async () => {
    const { marker, args } = program("echo 'no such machine' >&2; exit 3");
    const supervised = await SupervisedProcess.start("/bin/sh", args, 1000);
    expect(await supervised.exited).toEqual({ code: 3, signal: null });
    expect(supervised.running).toBe(false);
    expect(supervised.stderrTail()).toBe("no such machine");
    expect(await waitUntilGone(marker, 5000)).toEqual([]);
    await supervised.stop(1000);
  });
});
