import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClientTree } from "../client/tree.ts";
import { type Lab, MOCK_BOARD, startLab, tokenOf } from "../controller/__fixtures__/lab.ts";
import type { LeaseRecord } from "../controller/state.ts";
import { exited, spawnTs, waitForLine } from "./__fixtures__/child.ts";
import { LeaseEndedError } from "./held-lease.ts";
import { LeaseClient } from "./lease-client.ts";

// Reliability with real processes: clients and an exporter killed by signals (spec issue 5).
let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab?.close());

const clientEnv = () => ({
  ...lab.clientEnv(),
  JMP_LEASE: undefined,
  JUMPSTARTER_HOST: undefined,
  // A SIGKILLed child leaves its sockets behind: inside the lab's directory, removed with it.
  TMPDIR: lab.dir,
  XDG_RUNTIME_DIR: lab.dir,
});

/** Waits (bounded) until the controller says the lease ended. */
async function ended(id: string, timeoutMs: number): Promise<LeaseRecord["ended"]> {
  const book = lab.controller.book;
  const signal = AbortSignal.timeout(timeoutMs);
  for (let i = 0; i < 10_000 && !book.lease(id)?.ended; i++) {
    await once(book.events, "changed", { signal }).catch(() => {
      throw new Error(`lease ${id} did not end within ${timeoutMs} ms`);
    });
  }
  return book.lease(id)?.ended;
}

describe("clients that die", () => {
  it("a SIGKILLed client's lease ends at expiry; a SIGINTed one is released", async () => {
    const exporter = await lab.startExporter("mock-board");
    try {
      const killed = spawnTs("src/lease/__fixtures__/hold-lease.ts", ["board=mock"], {
        ...clientEnv(),
        DUTKIT_LEASE_DURATION: "3s",
      });
      const [, killedId] = await waitForLine(killed, /leased (\S+)\n/);
      killed.kill("SIGKILL");
      await exited(killed);
      expect(lab.controller.book.lease(killedId!)?.ended).toBeUndefined();
      expect((await ended(killedId!, 20_000))?.reason).toBe("Expired");

      const interrupted = spawnTs("src/lease/__fixtures__/hold-lease.ts", ["board=mock"], {
        ...clientEnv(),
        DUTKIT_LEASE_DURATION: "10m",
      });
      const [, interruptedId] = await waitForLine(interrupted, /leased (\S+)\n/);
      interrupted.kill("SIGINT");
      // Bounded at 5 s: the release the issue asks for on SIGINT.
      expect((await ended(interruptedId!, 5000))?.reason).toBe("Released");
      await exited(interrupted);
    } finally {
      await exporter.close();
    }
  }, 90_000);
});

describe("an exporter that dies mid-lease", () => {
  it("gives the client a clear error (bounded at 10 s), not a hang", async () => {
    const child = spawnTs(
      "src/cli/main.ts",
      [
        "run",
        "--exporter-config",
        MOCK_BOARD,
        "--endpoint",
        lab.controller.address,
        "--token",
        tokenOf("exporter", "mock-board"),
      ],
      { TMPDIR: lab.dir },
    );
    await waitForLine(child, /registered; waiting for leases/);
    const leases = new LeaseClient(lab.clientConfig());
    try {
      const held = await leases.acquire({ selector: "board=mock", durationS: 600, pollMs: 50 });
      held.watch({ pollMs: 1000 });
      const transport = await held.connect();
      const client = buildClientTree(await transport.report(), transport) as any;
      await client.power.on();
      child.kill("SIGKILL");
      const failure = await Promise.race([
        (async () => {
          for (let i = 0; i < 10_000; i++) await client.power.on();
          return new Error("calls kept succeeding");
        })().catch((error: Error) => error),
        new Promise<Error>((resolve) => setTimeout(() => resolve(new Error("no error within 10 s")), 10_000)),
      ]);
      expect(failure).toBeInstanceOf(LeaseEndedError);
      expect(failure.message).toMatch(/exporter mock-board went offline during the lease/);
      await transport.close();
      await held.release();
    } finally {
      leases.close();
      child.kill("SIGKILL");
      await exited(child);
    }
  }, 90_000);
});
