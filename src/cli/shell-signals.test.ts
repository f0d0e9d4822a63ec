// `dutkit shell` and signals, with real processes: a signal sent to dutkit's PID alone reaches the
// command, the board is released after the command has ended, and dutkit exits with the command's
// status; a SIGKILLed dutkit leaves a tunnel directory that the next dutkit shell removes.
import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type Lab, MOCK_BOARD, startLab, writeClientConfigFile } from "../controller/__fixtures__/lab.ts";
import { type SpawnedCli, spawnCli } from "./__fixtures__/spawn-cli.ts";

let lab: Lab;
let clientConfig: string;
let runtime: string;
beforeAll(async () => {
  lab = await startLab();
  await lab.startExporter("mock-board");
  clientConfig = await writeClientConfigFile(lab);
  runtime = await mkdtemp(join(tmpdir(), "dutkit-shell-runtime-"));
});
afterAll(async () => {
  await lab?.close();
  await rm(runtime, { recursive: true, force: true });
});

/** The only lease the controller holds for the lab's exporter now, bounded at 10 s. */
async function leaseEnded(id: string): Promise<string | undefined> {
  const signal = AbortSignal.timeout(10_000);
  for (let i = 0; i < 1000 && !lab.controller.book.lease(id)?.ended; i++) {
    await once(lab.controller.book.events, "changed", { signal }).catch(() => {
      throw new Error(`lease ${id} did not end within 10 s`);
    });
  }
  return lab.controller.book.lease(id)?.ended?.reason;
}

// The command says it is ready, traps the signal, and exits 5 when it gets it.
const trapping =
  'trap "echo got-$0; exit 5" INT TERM; echo "ready $$ $JMP_LEASE"; while :; do sleep 0.05; done';

/** Processes to end if a test fails half-way: dutkit shells and the commands they run. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
});

function leasedShell(script: string, duration = "30m"): SpawnedCli {
  return track(
    spawnCli(
      [
        ...["shell", "-l", "board=mock", "--duration", duration, "--client-config", clientConfig],
        ...["--", "sh", "-c", script, "signal"],
      ],
      { XDG_RUNTIME_DIR: runtime },
    ),
  );
}

function track(cli: SpawnedCli): SpawnedCli {
  if (cli.child.pid) started.push(cli.child.pid);
  return cli;
}

describe.each(["SIGINT", "SIGTERM"] as const)("%s to dutkit shell's PID alone", (signal) => {
  test("reaches the command; the lease is released after it ended; dutkit exits with its status", {
    timeout: 120_000,
  }, async () => {
    const cli = leasedShell(trapping);
    const [, command, lease] = await cli.line(/^ready (\d+) (\S+)$/m, "the command to say it is ready");
    started.push(Number(command));
    expect(lab.controller.book.lease(lease!)?.ended).toBeUndefined();
    cli.child.kill(signal);
    expect(await cli.exited).toBe(5);
    expect(cli.output().stdout).toMatch(/^got-signal$/m);
    expect(await leaseEnded(lease!)).toBe("Released");
  });
});

test("a command ended by the signal makes dutkit exit 128 + its number (130 for SIGINT)", {
  timeout: 120_000,
}, async () => {
  const cli = spawnCli([
    "shell",
    "--exporter-config",
    MOCK_BOARD,
    "--",
    "sh",
    "-c",
    "echo ready; exec sleep 60",
  ]);
  await cli.line(/^ready$/m, "the command to say it is ready");
  cli.child.kill("SIGINT");
  expect(await cli.exited).toBe(130);
});

test("a SIGKILLed dutkit shell's tunnel directory is removed by the next one", {
  timeout: 120_000,
}, async () => {
  // A short lease: a SIGKILLed client cannot release it, so the next shell waits for its end.
  const killed = leasedShell('echo "ready $$ $JUMPSTARTER_HOST"; exec sleep 60', "4s");
  const [, orphan, socket] = await killed.line(/^ready (\d+) (\S+)$/m, "the command to say it is ready");
  started.push(Number(orphan));
  const pid = killed.child.pid!;
  killed.child.kill("SIGKILL");
  await killed.exited;
  const left = (await readdir(runtime)).filter((name) => name.startsWith(`dutkit-tunnel-${pid}-`));
  expect(left).toHaveLength(1);
  expect(socket).toContain(join(runtime, left[0]!));

  const next = leasedShell('echo "ready $JMP_LEASE"');
  await next.line(/^ready /m, "the next shell's command");
  expect(await next.exited).toBe(0);
  expect((await readdir(runtime)).filter((name) => name.startsWith(`dutkit-tunnel-${pid}-`))).toEqual([]);
  // A SIGKILLed dutkit cannot end its command: afterEach ends that one.
});
