// `dutkit lease create --wait` and `dutkit shell -l` while their lease waits for a board someone
// else holds, as real processes: SIGINT and SIGTERM delete the waiting lease before dutkit ends,
// the command of a shell never starts, and the acquisition timeout ends the wait with
// LeaseWaitTimeoutError (progress lines on stderr meanwhile), the waiting lease deleted too.
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type Lab, startLab, writeClientConfigFile } from "../controller/__fixtures__/lab.ts";
import type { LeaseRecord } from "../controller/state.ts";
import type { HeldLease } from "../lease/held-lease.ts";
import { LeaseClient } from "../lease/lease-client.ts";
import { SPAWN_WAIT_MS, type SpawnedCli, spawnCli } from "./__fixtures__/spawn-cli.ts";

let lab: Lab;
let clientConfig: string;
let holder: LeaseClient;
let held: HeldLease;
beforeAll(async () => {
  lab = await startLab();
  await lab.startExporter("mock-board");
  clientConfig = await writeClientConfigFile(lab);
  // The only board is taken for the whole file: every lease below waits.
  holder = new LeaseClient(lab.clientConfig());
  held = await holder.acquire({ selector: "board=mock", durationS: 600, pollMs: 20 });
});
afterAll(async () => {
  await held?.release();
  holder?.close();
  await lab?.close();
});

const started: SpawnedCli[] = [];
afterEach(() => {
  for (const cli of started.splice(0)) if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
});

/** `dutkit args…` with the lab's client config (given before a `--` that starts a command). */
function dutkit(args: string[], env: Record<string, string> = {}): SpawnedCli {
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  const cli = spawnCli([...args.slice(0, end), "--client-config", clientConfig, ...args.slice(end)], env);
  started.push(cli);
  return cli;
}

/** The first lease the controller has that is waiting (no exporter yet), bounded. */
async function aWaitingLease(cli: SpawnedCli): Promise<LeaseRecord> {
  const book = lab.controller.book;
  const waiting = () => book.leases().find((l) => !l.ended && !l.exporter);
  const signal = AbortSignal.timeout(SPAWN_WAIT_MS);
  const exited = cli.exited.then((how) => {
    throw new Error(
      `dutkit ended (${how}) before its lease waited; it printed ${JSON.stringify(cli.output())}`,
    );
  });
  exited.catch(() => {});
  for (let i = 0; i < 10_000 && !waiting(); i++) {
    const changed = once(book.events, "changed", { signal }).catch(() => {
      throw new Error(
        `no waiting lease on the controller within ${SPAWN_WAIT_MS} ms; dutkit printed ${JSON.stringify(cli.output())}`,
      );
    });
    await Promise.race([changed, waiting() ? undefined : exited]);
  }
  return waiting()!;
}

/** How the controller says the lease ended, waiting for it (bounded at 10 s). */
async function endOf(id: string): Promise<string | undefined> {
  const book = lab.controller.book;
  const signal = AbortSignal.timeout(10_000);
  for (let i = 0; i < 10_000 && !book.lease(id)?.ended; i++) {
    await once(book.events, "changed", { signal }).catch(() => {
      throw new Error(`lease ${id} was still active on the controller 10 s after dutkit was told to stop`);
    });
  }
  return book.lease(id)?.ended?.reason;
}

/** How dutkit ended, waiting at most SPAWN_WAIT_MS: its lease wait is far shorter. */
async function endOfDutkit(cli: SpawnedCli): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `dutkit had not ended ${SPAWN_WAIT_MS} ms after its lease began to wait; it printed ${JSON.stringify(cli.output())}`,
          ),
        ),
      SPAWN_WAIT_MS,
    );
  });
  return Promise.race([cli.exited, late]).finally(() => clearTimeout(timer));
}

const create = ["lease", "create", "-l", "board=mock", "--duration", "5m", "--wait", "-o", "name"];

describe("a waiting lease is deleted on every way out of dutkit's wait", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`dutkit lease create --wait: ${signal}`, async () => {
      const cli = dutkit(create);
      const lease = await aWaitingLease(cli);
      const how = await cli.stop(signal);
      expect(await endOf(lease.id)).toBe("Released");
      // It ends as the signal would have ended it, after the deletion.
      expect(how).toBe(signal);
    }, 120_000);

    test(`dutkit shell -l: ${signal}; the command never runs`, async () => {
      const marker = join(lab.dir, `shell-ran-${signal}`);
      const cli = dutkit(["shell", "-l", "board=mock", "--", "sh", "-c", `touch '${marker}'`]);
      const lease = await aWaitingLease(cli);
      const how = await cli.stop(signal);
      expect(await endOf(lease.id)).toBe("Released");
      expect(how).toBe(signal);
      expect(existsSync(marker), "the command ran without a board").toBe(false);
    }, 120_000);
  }

  test("dutkit lease create --wait --acquisition-timeout: LeaseWaitTimeoutError, progress lines on stderr, the lease deleted", async () => {
    const cli = dutkit([...create, "--acquisition-timeout", "2"], { DUTKIT_LEASE_WAIT_PROGRESS: "0.2" });
    const lease = await aWaitingLease(cli);
    const code = await endOfDutkit(cli);
    const { stdout, stderr } = cli.output();
    expect(code, stderr).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `waiting for a board timed out after 2s: no exporter matching selector "board=mock" became free; 1 exporter matches: mock-board: leased by lease ${held.id} of client ci until`,
    );
    expect(stderr).toContain(`The waiting lease ${lease.id} is deleted`);
    const progress = stderr
      .split("\n")
      .filter((line) => line.startsWith(`dutkit: waiting for lease ${lease.id}`));
    expect(progress.length, stderr).toBeGreaterThanOrEqual(3);
    expect(await endOf(lease.id)).toBe("Released");
  }, 120_000);

  test("dutkit shell -l with DUTKIT_LEASE_WAIT_TIMEOUT: the same error, and the command never runs", async () => {
    const marker = join(lab.dir, "shell-ran-timeout");
    const cli = dutkit(["shell", "-l", "board=mock", "--", "sh", "-c", `touch '${marker}'`], {
      DUTKIT_LEASE_WAIT_TIMEOUT: "1",
    });
    const lease = await aWaitingLease(cli);
    expect(await endOfDutkit(cli)).toBe(1);
    expect(cli.output().stderr).toContain("waiting for a board timed out after 1s");
    expect(await endOf(lease.id)).toBe("Released");
    expect(existsSync(marker), "the command ran without a board").toBe(false);
  }, 120_000);
});
