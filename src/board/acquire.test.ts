import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import "../drivers/index.ts";
import { defineExporter } from "../config/index.ts";
import { serveSession } from "../exporter/grpc/index.ts";
import { loadExporter } from "../exporter/local.ts";
import { Session } from "../exporter/session.ts";
import { ClientConfigError } from "../lease/client-config.ts";
import { USAGE_SPOOL_ENV } from "../usage/events.ts";
import { acquireBoard } from "./acquire.ts";

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "bench-board", labels: { board: "bench" } },
  export: { power: { type: "MockPower" } },
});
const options = { runner: "vitest", scope: "file" } as const;

let dir: string;
const savedHost = process.env.JUMPSTARTER_HOST;
// These leases are the unit tests' own, not the run's: keep them out of its lease-usage report.
const savedSpool = process.env[USAGE_SPOOL_ENV];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dutkit-acquire-"));
  delete process.env.JUMPSTARTER_HOST;
  delete process.env[USAGE_SPOOL_ENV];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedSpool !== undefined) process.env[USAGE_SPOOL_ENV] = savedSpool;
  if (savedHost === undefined) delete process.env.JUMPSTARTER_HOST;
  else process.env.JUMPSTARTER_HOST = savedHost;
});

async function servedSession() {
  const session = await Session.open(await loadExporter(exporter));
  const served = await serveSession(session, { listen: join(dir, "exporter.sock") });
  return {
    session,
    address: served.address,
    async close() {
      await served.close();
      await session.close();
    },
  };
}

describe("acquireBoard", () => {
  test("opens a local session from the exporter config and counts calls", async () => {
    const board = await acquireBoard({ exporter }, options);
    expect(board).toMatchObject({
      kind: "local",
      exporter: { name: "bench-board", labels: { board: "bench" } },
    });
    const before = board.calls();
    await (board.client as any).power.on();
    expect(board.callsSince(before)).toEqual({ power: { on: { calls: 1, errors: 0 } } });
    await board.release();
    await board.release();
  });

  test("JUMPSTARTER_HOST wins over the exporter config: the board is that remote session", async () => {
    const remote = await servedSession();
    try {
      process.env.JUMPSTARTER_HOST = remote.address;
      const board = await acquireBoard({ exporter: "./does-not-exist.yaml" }, options);
      expect(board.kind).toBe("remote");
      expect(board.session).toBeUndefined();
      expect(board.exporter).toEqual({ name: "bench-board", labels: { board: "bench" } });
      await (board.client as any).power.on();
      expect(remote.session.driver<any>("power").state()).toBe("on");
      await board.release();
    } finally {
      await remote.close();
    }
  });

  test("an unreachable JUMPSTARTER_HOST fails with a clear error", async () => {
    process.env.JUMPSTARTER_HOST = join(dir, "nobody.sock");
    await expect(acquireBoard({ exporter }, options)).rejects.toThrow(/nobody\.sock/);
  });

  test("a selector without a client config says how to configure one", async () => {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith("JMP_")) delete process.env[key];
    process.env.JMP_CLIENT_CONFIG_HOME = dir;
    try {
      const failure = acquireBoard({ selector: "board=rpi4" }, options);
      await expect(failure).rejects.toBeInstanceOf(ClientConfigError);
      await expect(failure).rejects.toThrow(
        /no client config to lease with: pass --client-config FILE, set JMP_ENDPOINT/,
      );
    } finally {
      process.env = saved;
    }
  });

  test("no source at all names the ways to give one", async () => {
    await expect(acquireBoard({}, options)).rejects.toThrow(/exporter config.*JUMPSTARTER_HOST/);
  });

  test("a shared board is reached over its socket and releasing only disconnects", async () => {
    const remote = await servedSession();
    try {
      const shared = {
        address: remote.address,
        leaseId: "local-run",
        exporter: { name: "bench-board", labels: {} },
        drivers: ["power"],
      };
      const board = await acquireBoard({}, { runner: "vitest", scope: "run", shared });
      expect(board.leaseId).toBe("local-run");
      await (board.client as any).power.on();
      await board.release();
      expect(remote.session.driver<any>("power").state()).toBe("on");
    } finally {
      await remote.close();
    }
  });
});
