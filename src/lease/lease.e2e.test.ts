import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClientTree } from "../client/tree.ts";
import { type Lab, startLab } from "../controller/__fixtures__/lab.ts";
import { LeaseEndedError } from "./held-lease.ts";
import { LeaseClient, LeaseError } from "./lease-client.ts";

let lab: Lab;
let leases: LeaseClient;

beforeAll(async () => {
  lab = await startLab();
  await lab.startExporter("mock-board");
  leases = new LeaseClient(lab.clientConfig());
});
afterAll(async () => {
  leases?.close();
  await lab?.close();
});

describe("a lease from the controller", () => {
  it("yields a working client tree through the router, and deletes the lease it created", async () => {
    const progress: string[] = [];
    const held = await leases.acquire({
      selector: "board=mock",
      durationS: 60,
      pollMs: 50,
      onProgress: (l) => progress.push(l),
    });
    expect(held.exporterName).toBe("mock-board");
    expect(held.exporterLabels).toMatchObject({ board: "mock" });
    expect(held.created).toBe(true);
    const transport = await held.connect();
    try {
      const client = buildClientTree(await transport.report(), transport) as any;
      await client.power.on();
      const result = await client.shell.hello("lease");
      expect(result.stdout).toBe("hello lease\n");
    } finally {
      await transport.close();
      await held.release();
    }
    expect((await leases.get(held.id)).state).toBe("ended");
    expect(await leases.list()).toEqual([]);
  });

  it("fails at once when no exporter can ever match", async () => {
    await expect(leases.acquire({ selector: "board=none", durationS: 60, pollMs: 50 })).rejects.toThrow(
      /cannot be satisfied: no exporter matches selector "board=none"/,
    );
  });

  it("honours an existing lease by name and does not delete it", async () => {
    const created = await leases.create({ selector: "board=mock", durationS: 60 });
    const held = await leases.acquire({ leaseName: created.id, pollMs: 50 });
    expect(held.created).toBe(false);
    await held.release();
    expect((await leases.get(created.id)).state).toBe("ready");
    await leases.delete(created.id);
    await expect(leases.acquire({ leaseName: created.id })).rejects.toThrow(LeaseError);
  });

  it("fails a call in flight with a clear message when the lease is deleted under it", async () => {
    const held = await leases.acquire({ selector: "board=mock", durationS: 60, pollMs: 50 });
    held.watch({ pollMs: 50 });
    const transport = await held.connect();
    const client = buildClientTree(await transport.report(), transport) as any;
    await leases.delete(held.id);
    await expect(
      (async () => {
        for (let i = 0; i < 200; i++) await client.power.on();
      })(),
    ).rejects.toThrow(LeaseEndedError);
    await expect(client.power.on()).rejects.toThrow(
      /lease .* ended \(released by its holder\) while the board was still in use/,
    );
    await transport.close();
    await held.release();
  });
});
