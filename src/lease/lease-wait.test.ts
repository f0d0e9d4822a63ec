// The wait for a lease, in-process against a real controller and exporter: bounded by its own
// timeout (LeaseWaitTimeoutError naming the selector, the matching exporters and their holders),
// stopped by a signal, progress on every change of the queue or the holders and at least every
// period; the waiting lease is deleted on every way out.
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Lab, startLab } from "../controller/__fixtures__/lab.ts";
import { exited, spawnTs, waitForLine } from "./__fixtures__/child.ts";
import type { HeldLease } from "./held-lease.ts";
import { LeaseClient } from "./lease-client.ts";
import { LeaseWaitAbortedError, LeaseWaitTimeoutError } from "./lease-errors.ts";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ clients: ["ci", "other"] });
  await lab.startExporter("mock-board");
});
afterAll(() => lab?.close());

/** Waits (bounded) until the controller has `count` waiting leases; returns them, oldest first. */
async function waitingLeases(count: number, timeoutMs = 10_000) {
  const book = lab.controller.book;
  const waiting = () => book.leases().filter((l) => !l.ended && !l.exporter);
  const signal = AbortSignal.timeout(timeoutMs);
  for (let i = 0; i < 10_000 && waiting().length < count; i++) {
    await once(book.events, "changed", { signal }).catch(() => {
      throw new Error(`the controller did not have ${count} waiting leases within ${timeoutMs} ms`);
    });
  }
  return waiting();
}

/** The error `acquire` failed with; fails the test if it got a lease instead. */
async function failureOf(acquiring: Promise<HeldLease>): Promise<Error> {
  const outcome = await acquiring.then(
    (held) => held,
    (error: Error) => error,
  );
  if (outcome instanceof Error) return outcome;
  await outcome.release();
  throw new Error(`acquired lease ${outcome.id} where the wait should have failed`);
}

/** The reason the controller gives for a lease's end, or undefined while it is active. */
const endOf = (id: string) => lab.controller.book.lease(id)?.ended?.reason;

describe("the wait for a lease", () => {
  test("ends at its own timeout with LeaseWaitTimeoutError naming the selector, the exporters and their holder, and deletes the waiting lease", async () => {
    const holder = new LeaseClient(lab.clientConfig("ci"));
    const waiter = new LeaseClient(lab.clientConfig("ci"));
    const held = await holder.acquire({ selector: "board=mock", durationS: 600, pollMs: 20 });
    const lines: string[] = [];
    try {
      const failure = await failureOf(
        waiter.acquire({
          selector: "board=mock",
          durationS: 60,
          pollMs: 50,
          acquisitionTimeoutS: 2,
          progressEveryMs: 200,
          onProgress: (line) => lines.push(line),
        }),
      );
      expect(failure).toBeInstanceOf(LeaseWaitTimeoutError);
      const error = failure as LeaseWaitTimeoutError;
      expect(error.code).toBe("ERR_DUTKIT_LEASE_WAIT_TIMEOUT");
      expect(error.message).toContain(
        'waiting for a board timed out after 2s: no exporter matching selector "board=mock"',
      );
      expect(error.message).toContain(
        `1 exporter matches: mock-board: leased by lease ${held.id} of client ci until ${held.info
          .endTime!.toISOString()
          .replace("T", " ")
          .replace(/\.\d+Z$/, " UTC")}`,
      );
      expect(error.message).toContain(`dutkit lease delete ${held.id}`);
      expect(error.message).toMatch(
        /leaseWaitTimeoutMs, DUTKIT_LEASE_WAIT_TIMEOUT, or --acquisition-timeout/,
      );
      expect(endOf(error.leaseId)).toBe("Released");
      // Nothing changed while it waited: the lines came from the period (200 ms over 2 s).
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines[0]).toMatch(
        new RegExp(
          `^waiting for lease ${error.leaseId} \\(selector "board=mock"\\), 0s of 2s: waiting for an exporter matching selector board=mock: 1 match, 1 leased, 0 offline; 0 leases queued ahead; 1 exporter matches: mock-board: leased by lease ${held.id} of client ci`,
        ),
      );
    } finally {
      await held.release();
      holder.close();
      waiter.close();
    }
  });

  test("a holder of another client is named as far as the controller tells it", async () => {
    const other = new LeaseClient(lab.clientConfig("other"));
    const waiter = new LeaseClient(lab.clientConfig("ci"));
    const held = await other.acquire({ selector: "board=mock", durationS: 600, pollMs: 20 });
    try {
      const failure = await failureOf(
        waiter.acquire({ selector: "board=mock", durationS: 60, pollMs: 50, acquisitionTimeoutS: 1 }),
      );
      expect(failure).toBeInstanceOf(LeaseWaitTimeoutError);
      expect(failure.message).toContain(
        "1 exporter matches: mock-board: lease ready, by a lease of another client (the controller does not say which, nor until when)",
      );
      expect(endOf((failure as LeaseWaitTimeoutError).leaseId)).toBe("Released");
    } finally {
      await held.release();
      other.close();
      waiter.close();
    }
  });

  test("says when its place in the queue changes, and a stopped wait deletes its lease", async () => {
    const clients = [0, 1, 2].map(() => new LeaseClient(lab.clientConfig("ci")));
    const [holder, first, second] = clients as [LeaseClient, LeaseClient, LeaseClient];
    const held = await holder.acquire({ selector: "board=mock", durationS: 600, pollMs: 20 });
    const stopFirst = new AbortController();
    const stopSecond = new AbortController();
    const secondLines: string[] = [];
    // A period far longer than the waits: every line the second waiter prints comes from a change.
    // Each wait ends by itself after 5 s (LeaseWaitTimeoutError) if the change it waits for never comes.
    const quiet = { durationS: 60, pollMs: 50, acquisitionTimeoutS: 5, progressEveryMs: 600_000 };
    try {
      const firstWait = failureOf(
        first.acquire({ selector: "board=mock", ...quiet, signal: stopFirst.signal }),
      );
      const [firstLease] = await waitingLeases(1);
      const secondWait = failureOf(
        second.acquire({
          selector: "board=mock",
          ...quiet,
          signal: stopSecond.signal,
          onProgress: (line) => {
            secondLines.push(line);
            // Once it has said it is second in line, the first waiter gives up.
            if (line.includes("1 lease queued ahead")) stopFirst.abort(new Error("the first waiter gave up"));
            if (line.includes("0 leases queued ahead")) stopSecond.abort(new Error("seen first in line"));
          },
        }),
      );
      const firstError = await firstWait;
      expect(firstError, firstError.message).toBeInstanceOf(LeaseWaitAbortedError);
      expect(firstError.message).toBe(
        `stopped waiting for lease ${firstLease!.id} (selector "board=mock"): the first waiter gave up; the waiting lease is deleted`,
      );
      expect(endOf(firstLease!.id)).toBe("Released");
      const secondError = await secondWait;
      expect(secondError, secondError.message).toBeInstanceOf(LeaseWaitAbortedError);
      expect(secondLines.map((line) => /(\d) leases? queued ahead/.exec(line)?.[1])).toEqual(["1", "0"]);
      expect(
        lab.controller.book
          .leases()
          .filter((l) => !l.ended)
          .map((l) => l.id),
      ).toEqual([held.id]);
    } finally {
      stopFirst.abort();
      stopSecond.abort();
      await held.release();
      for (const client of clients) client.close();
    }
  }, 30_000);
  test("says when the holder of the board changes", async () => {
    const clients = [0, 1, 2].map(() => new LeaseClient(lab.clientConfig("ci")));
    const [holder, next, waiter] = clients as [LeaseClient, LeaseClient, LeaseClient];
    const first = await holder.acquire({ selector: "board=mock", durationS: 600, pollMs: 20 });
    // Queued ahead of the waiter: it takes the board when the first holder lets go.
    const queued = await next.create({ selector: "board=mock", durationS: 600 });
    const stop = new AbortController();
    const lines: string[] = [];
    try {
      const waiting = failureOf(
        waiter.acquire({
          selector: "board=mock",
          durationS: 60,
          pollMs: 50,
          // The wait ends by itself after 4 s (LeaseWaitTimeoutError) if the new holder is never
          // named: sooner than the 5 s between lookups while nothing changes, so the new holder
          // must be found because the controller's message changed.
          acquisitionTimeoutS: 4,
          progressEveryMs: 600_000,
          signal: stop.signal,
          onProgress: (line) => {
            lines.push(line);
            if (line.includes(`leased by lease ${first.id} `)) void first.release();
            if (line.includes(`leased by lease ${queued.id} `))
              stop.abort(new Error("the new holder was named"));
          },
        }),
      );
      const error = await waiting;
      expect(error, error.message).toBeInstanceOf(LeaseWaitAbortedError);
      // Between the two, a line may say the board is being handed over (no holder yet).
      const holders = new Set(lines.map((line) => /leased by lease (\S+) /.exec(line)?.[1]).filter(Boolean));
      expect([...holders]).toEqual([first.id, queued.id]);
    } finally {
      stop.abort();
      await first.release();
      await next.delete(queued.id).catch(() => {});
      for (const client of clients) client.close();
    }
  }, 30_000);
});

describe("a process that exits while its lease waits", () => {
  test("deletes the waiting lease on its way out (process.exit runs no async work)", async () => {
    const holder = new LeaseClient(lab.clientConfig("ci"));
    const held = await holder.acquire({ selector: "board=mock", durationS: 600, pollMs: 20 });
    const child = spawnTs("src/lease/__fixtures__/exit-while-waiting.ts", ["board=mock"], {
      ...lab.clientEnv(),
      JMP_LEASE: undefined,
      JUMPSTARTER_HOST: undefined,
    });
    try {
      const [, id] = await waitForLine(child, /waiting for lease (\S+) /);
      await exited(child);
      expect(child.exitCode).toBe(3);
      // Ended before the exit completed: no wait on the controller's side.
      expect(lab.controller.book.lease(id!)?.ended?.reason).toBe("Released");
    } finally {
      child.kill("SIGKILL");
      await held.release();
      holder.close();
    }
  }, 90_000);
});
