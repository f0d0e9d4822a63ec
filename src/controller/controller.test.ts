import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildClientTree } from "../client/tree.ts";
import { LeaseClient } from "../lease/lease-client.ts";
import { ControllerClients, type ControllerError } from "../protocol/controller-client.ts";
import { type Lab, startLab, tokenOf } from "./__fixtures__/lab.ts";

const labs: Lab[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  for (const lab of labs.splice(0)) await lab.close();
});

async function lab(options: Parameters<typeof startLab>[0] = {}) {
  const started = await startLab(options);
  labs.push(started);
  return started;
}

function leaseClient(l: Lab, name?: string) {
  const client = new LeaseClient(l.clientConfig(name));
  closers.push(() => client.close());
  return client;
}

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as ControllerError).grpcCode;
  }
}

describe("authentication (spec 2.1)", () => {
  it("answers UNAUTHENTICATED, INVALID_ARGUMENT and PERMISSION_DENIED as the spec says", async () => {
    const l = await lab();
    const as = (identity: Partial<ConstructorParameters<typeof ControllerClients>[0]>) => {
      const c = new ControllerClients({
        kind: "Client",
        namespace: "lab",
        name: "ci",
        endpoint: l.controller.address,
        token: tokenOf("client", "ci"),
        ...identity,
      });
      closers.push(() => c.close());
      return c;
    };
    const list = (c: ControllerClients) =>
      c.call("ListLeases", (m, o, cb) =>
        c.client.listLeases(
          { parent: "namespaces/lab", pageSize: 0, pageToken: "", filter: "", tagFilter: "" },
          m,
          o,
          cb,
        ),
      );
    expect(await codeOf(list(as({})))).toBeUndefined();
    expect(await codeOf(list(as({ token: "wrong-token-123456" })))).toBe(16);
    expect(await codeOf(list(as({ name: "someone-else" })))).toBe(16);
    expect(await codeOf(list(as({ namespace: "other" })))).toBe(7);
    const exporterAsClient = as({
      kind: "Exporter",
      name: "mock-board",
      token: tokenOf("exporter", "mock-board"),
    });
    expect(await codeOf(list(exporterAsClient))).toBe(7);
    const badKind = as({ kind: "Robot" as "Client" });
    expect(await codeOf(list(badKind))).toBe(3);
    const message = await list(as({ token: "wrong-token-123456" })).catch((e: Error) => e.message);
    expect(message).toMatch(/UNAUTHENTICATED.*check the token in your client config/);
    // Said once: the controller's answer already names the config, the client adds no second hint.
    expect(String(message).split("check the token")).toHaveLength(2);
  });
});

describe("leases", () => {
  it("queues first come first served and never assigns one exporter twice", async () => {
    const l = await lab({ clients: ["a", "b"] });
    await l.startExporter("mock-board");
    const a = leaseClient(l, "a");
    const b = leaseClient(l, "b");
    const first = await a.acquire({ selector: "board=mock", durationS: 60, pollMs: 20 });
    const second = await b.create({ selector: "board=mock", durationS: 60 });
    const third = await a.create({ selector: "board=mock", durationS: 60 });
    expect((await b.get(second.id)).message).toMatch(/1 match, 1 leased, 0 offline/);
    await first.release();
    const secondHeld = await b.acquire({ leaseName: second.id, pollMs: 20 });
    expect((await a.get(third.id)).state).toBe("pending");
    await b.delete(secondHeld.id);
    expect((await a.acquire({ leaseName: third.id, pollMs: 20 })).exporterName).toBe("mock-board");
  });

  it("validates requests and refuses other clients' leases", async () => {
    const l = await lab({ clients: ["a", "b"] });
    const a = leaseClient(l, "a");
    const b = leaseClient(l, "b");
    expect(await codeOf(a.create({ selector: "", durationS: 60 }))).toBe(3);
    expect(await codeOf(a.create({ selector: "board=", durationS: 0 }))).toBe(3);
    await expect(a.create({ selector: "a in (", durationS: 60 })).rejects.toThrow(
      /ERR|invalid label selector/,
    );
    const mine = await a.create({ selector: "board=mock", durationS: 60 });
    expect(await codeOf(b.get(mine.id))).toBe(7);
    expect(await codeOf(b.delete(mine.id))).toBe(7);
    await a.delete(mine.id);
    expect(await codeOf(a.delete(mine.id))).toBe(9);
  });

  it("ends a lease at expiry and hands the exporter to the next in line", async () => {
    const l = await lab();
    await l.startExporter("mock-board");
    const c = leaseClient(l);
    const short = await c.acquire({ selector: "board=mock", durationS: 0.3, pollMs: 20 });
    const ended = new Promise<Error>((resolve) => short.watch({ pollMs: 20, onEnd: resolve }));
    expect((await ended).message).toMatch(/ran out|duration/);
    const next = await c.acquire({ selector: "board=mock", durationS: 60, pollMs: 20 });
    expect(next.exporterName).toBe("mock-board");
    expect((await c.get(short.id)).message).toMatch(/duration ran out/);
  });

  it("keeps leases across a restart (state written atomically)", async () => {
    const first = await startLab();
    const c = new LeaseClient(first.clientConfig());
    const pending = await c.create({ selector: "board=mock", durationS: 600 });
    c.close();
    await first.stopController();
    const state = JSON.parse(await readFile(join(first.dir, "state.json"), "utf8"));
    expect(state.leases.map((x: { id: string }) => x.id)).toEqual([pending.id]);
    const second = await lab({ dir: first.dir });
    labs.push(first); // closed after the second: it owns the directory
    const again = leaseClient(second);
    expect((await again.get(pending.id)).state).toBe("pending");
    await second.startExporter("mock-board");
    const held = await again.acquire({ leaseName: pending.id, pollMs: 20 });
    expect(held.exporterName).toBe("mock-board");
    await again.delete(pending.id);
  });

  it("keeps an active lease across a restart; the exporter comes back and serves it", async () => {
    const first = await startLab();
    await first.startExporter("mock-board");
    const c = new LeaseClient(first.clientConfig());
    const held = await c.acquire({ selector: "board=mock", durationS: 600, pollMs: 20 });
    c.close();
    await first.stopController();
    const second = await lab({ dir: first.dir });
    labs.push(first); // closed after the second: it owns the directory and the exporter
    const again = leaseClient(second);
    expect(await again.get(held.id)).toMatchObject({ state: "ready", exporter: "mock-board" });
    const book = second.controller.book;
    const signal = AbortSignal.timeout(20_000);
    for (let i = 0; i < 1000 && book.exporter("mock-board")?.status !== "LEASE_READY"; i++) {
      await once(book.events, "changed", { signal });
    }
    const resumed = await again.acquire({ leaseName: held.id, pollMs: 20 });
    const transport = await resumed.connect();
    const client = buildClientTree(await transport.report(), transport) as any;
    await client.power.on();
    await transport.close();
    await resumed.release();
    await again.delete(held.id);
  }, 30_000);

  it("reports exporters online and offline", async () => {
    const l = await lab();
    const exporter = await l.startExporter("mock-board");
    expect(l.controller.book.exporter("mock-board")?.online).toBe(true);
    await exporter.close();
    expect(l.controller.book.exporter("mock-board")?.online).toBe(false);
  });
});
