import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InternalError } from "../../core/errors.ts";
import { makeTempDir, processIsGone, touch, WAIT_FOR } from "./__fixtures__/support.ts";
import { type OutputChunk, ProcessGroup } from "./process-group.ts";

let temp: ReturnType<typeof makeTempDir>;
const started: ProcessGroup[] = [];

beforeEach(() => {
  temp = makeTempDir();
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((group) => group.terminate(100)));
  temp.remove();
});

async function bash(script: string, ...args: string[]): Promise<ProcessGroup> {
  const group = await ProcessGroup.start("bash", ["-c", script, "test", ...args], { env: process.env });
  started.push(group);
  return group;
}

async function drain(output: AsyncIterable<OutputChunk>): Promise<OutputChunk[]> {
  const chunks: OutputChunk[] = [];
  for await (const chunk of output) chunks.push(chunk);
  return chunks;
}

describe("ProcessGroup", () => {
  it("puts the program in a new process group of its own", async () => {
    const group = await bash("ps -o pgid= -p $$");
    const [[stdout]] = (await drain(group.output())) as [OutputChunk];
    expect(Number(stdout.trim())).toBe(group.pgid);
    expect(group.pgid).not.toBe(Number(process.pid));
  });

  it("gives the script /dev/null as stdin", async () => {
    const group = await bash("cat; echo end");
    expect((await drain(group.output())).map(([stdout]) => stdout).join("")).toBe("end\n");
    expect(await group.exitStatus).toBe(0);
  });

  it("delivers all of a large output to a slow reader", async () => {
    const group = await bash("head -c 3000000 /dev/zero | tr '\\0' a");
    let length = 0;
    for await (const [stdout] of group.output()) {
      length += stdout.length;
      // A reader slower than the pipe: the queue fills up and the pipes get paused.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(length).toBe(3_000_000);
    expect(await group.exitStatus).toBe(0);
  });

  it("reports death by a signal as minus its number", async () => {
    const group = await bash("kill -KILL $$");
    await drain(group.output());
    expect(await group.exitStatus).toBe(-9);
  });

  it("SIGKILLs a group that ignores SIGTERM once the grace period is over", async () => {
    const group = await bash(`trap '' TERM; sleep 100 & echo $!; wait`);
    const output = group.output();
    const first = await output.next();
    const sleepPid = Number((first.value as OutputChunk)[0].trim());
    await group.terminate(200);
    expect(processIsGone(sleepPid)).toBe(true);
    expect(group.hasRunningMembers()).toBe(false);
    expect(await group.exitStatus).toBe(-9);
  });

  it("stops reading pipes held open by a process that left the group", async () => {
    // The escaped process prints its pid once it is in a session of its own; it keeps our stdout.
    const group = await bash(
      `${WAIT_FOR}setsid sh -c 'echo $$; exec sleep 100' & wait_for "$1/never"`,
      temp.dir,
    );
    const output = group.output();
    const first = await output.next();
    const escapedPid = Number((first.value as OutputChunk)[0].trim());
    try {
      await group.terminate(100);
      expect(await drain(output)).toEqual([]);
      expect(await group.exitStatus).toBe(-15);
    } finally {
      process.kill(escapedPid, "SIGKILL");
    }
  });

  it("fails to start with an error that names the program", async () => {
    const start = ProcessGroup.start("no-such-program-dutkit", [], { env: process.env });
    await expect(start).rejects.toThrow(InternalError);
    await expect(start).rejects.toThrow(/could not start no-such-program-dutkit: .*ENOENT/);
  });

  it("returns the same termination to every caller", async () => {
    const group = await bash(`${WAIT_FOR}wait_for "$1/never"`, temp.dir);
    expect(group.terminate(100)).toBe(group.terminate(100));
    await group.terminate(100);
    touch(join(temp.dir, "never"));
  });
});
