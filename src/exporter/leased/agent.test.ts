import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildClientTree } from "../../client/tree.ts";
import { loadExporterConfig } from "../../config/index.ts";
import { type Lab, startLab } from "../../controller/__fixtures__/lab.ts";
import { LeaseClient } from "../../lease/lease-client.ts";
import { startLeasedExporter } from "./agent.ts";

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.close();
});

async function until(lab: Lab, done: () => boolean, what: string) {
  const book = lab.controller.book;
  const signal = AbortSignal.timeout(20_000);
  for (let i = 0; i < 10_000 && !done(); i++) {
    await once(book.events, "changed", { signal }).catch(() => {
      throw new Error(`${what} did not happen within 20 s`);
    });
  }
}

describe("leased exporter", () => {
  it("runs beforeLease and afterLease hooks with the lease env around each lease", async () => {
    const lab = await startLab();
    labs.push(lab);
    const log = join(lab.dir, "hooks.log");
    await lab.startExporter("mock-board", (config) => {
      config.hooks = {
        beforeLease: { script: `echo "before $LEASE_NAME $CLIENT_NAME $JMP_DRIVERS_ALLOW" >> ${log}` },
        afterLease: { script: `test -S "$JUMPSTARTER_HOST" && echo after >> ${log}` },
      };
    });
    const leases = new LeaseClient(lab.clientConfig());
    try {
      const held = await leases.acquire({ selector: "board=mock", durationS: 60, pollMs: 20 });
      const transport = await held.connect();
      await (buildClientTree(await transport.report(), transport) as any).power.on();
      await transport.close();
      await held.release();
      await until(
        lab,
        () => lab.controller.book.exporter("mock-board")?.status === "AVAILABLE",
        "AVAILABLE again",
      );
      expect((await readFile(log, "utf8")).split("\n")).toEqual([`before ${held.id} ci UNSAFE`, "after", ""]);
    } finally {
      leases.close();
    }
  });

  it("EndSession runs afterLease and reports AVAILABLE but keeps the lease; the exporter is leased again after", {
    timeout: 60_000,
  }, async () => {
    const lab = await startLab();
    labs.push(lab);
    const log = join(lab.dir, "hooks.log");
    await lab.startExporter("mock-board", (config) => {
      config.hooks = { afterLease: { script: `echo "after $LEASE_NAME" >> ${log}` } };
    });
    const leases = new LeaseClient(lab.clientConfig());
    try {
      const held = await leases.acquire({ selector: "board=mock", durationS: 60, pollMs: 20 });
      const transport = await held.connect();
      await (buildClientTree(await transport.report(), transport) as any).power.on();
      expect(await transport.inner.endSession()).toEqual({ success: true });
      const book = lab.controller.book;
      await until(lab, () => book.exporter("mock-board")?.status === "AVAILABLE", "AVAILABLE at EndSession");
      // As Jumpstarter's exporter (spec 9): the client deletes the lease, not the exporter.
      expect(book.lease(held.id)?.ended).toBeUndefined();
      expect(await transport.inner.status()).toMatchObject({ status: "AVAILABLE" });
      expect(await readFile(log, "utf8")).toBe(`after ${held.id}\n`);
      await transport.close();
      await held.release();
      // No second AVAILABLE is needed for the controller to offer the exporter again.
      const next = await leases.acquire({
        selector: "board=mock",
        durationS: 60,
        pollMs: 20,
        acquisitionTimeoutS: 10,
      });
      expect(book.lease(next.id)?.exporter).toBe("mock-board");
      // LEASE_READY for the next lease comes after the first one's session closed (one queue):
      // closing it did not run afterLease a second time.
      await until(lab, () => book.exporter("mock-board")?.status === "LEASE_READY", "LEASE_READY again");
      expect(await readFile(log, "utf8")).toBe(`after ${held.id}\n`);
      await next.release();
    } finally {
      leases.close();
    }
  });

  it("a failing beforeLease hook with onFailure endLease ends the lease with the reason", async () => {
    const lab = await startLab();
    labs.push(lab);
    await lab.startExporter("mock-board", (config) => {
      config.hooks = { beforeLease: { script: "echo flashing failed >&2; exit 3", onFailure: "endLease" } };
    });
    const leases = new LeaseClient(lab.clientConfig());
    try {
      const created = await leases.create({ selector: "board=mock", durationS: 60 });
      await until(lab, () => Boolean(lab.controller.book.lease(created.id)?.ended), "the lease end");
      expect(lab.controller.book.lease(created.id)?.ended?.message).toBe("released by the exporter");
      expect(lab.controller.book.exporter("mock-board")?.statusMessage).toMatch(
        /beforeLease hook failed with exit status 3: flashing failed/,
      );
    } finally {
      leases.close();
    }
  });

  it("a failing hook with onFailure warn keeps the lease, with a [HOOK_WARNING] status", async () => {
    const lab = await startLab();
    labs.push(lab);
    await lab.startExporter("mock-board", (config) => {
      config.hooks = { beforeLease: { script: "exit 1" } };
    });
    const leases = new LeaseClient(lab.clientConfig());
    try {
      const held = await leases.acquire({ selector: "board=mock", durationS: 60, pollMs: 20 });
      const transport = await held.connect();
      await (buildClientTree(await transport.report(), transport) as any).power.on();
      expect(await transport.inner.status()).toMatchObject({
        status: "LEASE_READY",
        message: expect.stringMatching(/^\[HOOK_WARNING\] beforeLease hook failed/),
      });
      await transport.close();
      await held.release();
    } finally {
      leases.close();
    }
  });

  it("refuses to register without an endpoint, naming what is missing", async () => {
    const loaded = await loadExporterConfig(
      join(import.meta.dirname, "../../../example-tests/mock-board/exporter.yaml"),
    );
    await expect(startLeasedExporter({ loaded })).rejects.toThrow(
      /has no endpoint, token: an exporter registered/,
    );
  });
});
