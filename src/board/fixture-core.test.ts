import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { mockBoardDrivers } from "../../example-tests/mock-board/exporter.drivers.ts";
import { defineExporter } from "../config/index.ts";
import { Transcript } from "../expect/transcript.ts";
import { USAGE_SPOOL_ENV } from "../usage/events.ts";
import { acquireBoard } from "./acquire.ts";
import type { BoardSource, SharedBoard } from "./board.ts";
import {
  collectSource,
  localSessionOf,
  RemoteBoardError,
  shortcutFixtures,
  type TestBoardRecord,
  useRecordedClient,
} from "./fixture-core.ts";

const MOCK_BOARD = new URL("../../example-tests/mock-board/exporter.yaml", import.meta.url);

const shortcutNamesOf = (source: BoardSource, shared?: SharedBoard) =>
  collectSource(source, {}, shared).shortcutNames;

describe("shortcutNamesOf", () => {
  test("a selector alone has no names; drivers declares them, as a list or a description", () => {
    expect(shortcutNamesOf({ selector: "board=mock" })).toEqual([]);
    expect(shortcutNamesOf({ selector: "board=mock", drivers: ["power", "shell"] })).toEqual([
      "power",
      "shell",
    ]);
    // The mock board's `board` group is named like the board fixture: reachable as client.board only.
    expect(shortcutNamesOf({ selector: "board=mock", drivers: mockBoardDrivers })).toEqual([
      "power",
      "shell",
    ]);
  });

  test("the config's names, the declared ones and the run board's, once each", () => {
    const shared = {
      address: "/x.sock",
      leaseId: "l",
      exporter: { name: "e", labels: {} },
      drivers: ["serial"],
    };
    expect(shortcutNamesOf({ exporter: MOCK_BOARD, drivers: ["power", "relay"] }, shared)).toEqual([
      "power",
      "shell",
      "relay",
      "serial",
    ]);
  });

  test("drivers that is neither a list of names nor a description says what it takes", () => {
    expect(() => shortcutNamesOf({ drivers: "power" as never })).toThrow(
      'drivers must be a list of driver names (drivers: ["power", "shell"]) or the description `dutkit types <exporter.yaml>` generates; got "power"',
    );
    expect(() => shortcutNamesOf({ drivers: [1] as never })).toThrow(/got \[1\]$/);
  });
});

describe("collectSource", () => {
  test("a YAML config is loaded and checked once, for acquireBoard to open the board from", () => {
    const { loaded } = collectSource({ exporter: MOCK_BOARD });
    expect(loaded?.config.metadata.name).toBe("mock-board");
    expect(loaded?.source).toBe(fileURLToPath(MOCK_BOARD));
    expect(loaded?.dir).toBe(dirname(fileURLToPath(MOCK_BOARD)));
  });

  test("a config object is left to acquireBoard to check; its names are known without it", () => {
    const exporter = defineExporter({
      apiVersion: "jumpstarter.dev/v1alpha1",
      kind: "ExporterConfig",
      metadata: { name: "object-board" },
      export: { power: { type: "MockPower" } },
    });
    expect(collectSource({ exporter })).toMatchObject({ loaded: undefined, shortcutNames: ["power"] });
  });

  test("a YAML config that cannot be read says where relative paths resolve", () => {
    expect(() => collectSource({ exporter: "./no-such-exporter.yaml" })).toThrow(
      expect.objectContaining({
        code: "ERR_DUTKIT_CONFIG_NOT_FOUND",
        message: expect.stringContaining(`relative paths resolve against ${process.cwd()}`),
      }),
    );
  });
});

describe("the lease wait of a fixture", () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  test("a board leased by selector gets a setup timeout of the wait plus time to connect", () => {
    delete process.env.DUTKIT_LEASE_WAIT_TIMEOUT;
    expect(collectSource({ selector: "board=mock" }, { leaseWaitTimeoutMs: 5_000 })).toMatchObject({
      leaseWait: { timeoutMs: 5_000, progressEveryMs: 30_000 },
      setupTimeoutMs: 65_000,
    });
    process.env.DUTKIT_LEASE_WAIT_TIMEOUT = "2m";
    expect(collectSource({ selector: "board=mock" }).setupTimeoutMs).toBe(180_000);
  });

  test("a local board's setup keeps the runner's timeout", () => {
    expect(collectSource({ exporter: MOCK_BOARD }).setupTimeoutMs).toBeUndefined();
  });
});

describe("fixture values", () => {
  const exporter = defineExporter({
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ExporterConfig",
    metadata: { name: "core-board" },
    export: { power: { type: "MockPower" } },
  });
  const options = { runner: "vitest", scope: "file" } as const;
  // These leases are the unit tests' own, not the run's: keep them out of its lease-usage report.
  const savedSpool = process.env[USAGE_SPOOL_ENV];
  beforeEach(() => {
    delete process.env[USAGE_SPOOL_ENV];
  });
  afterEach(() => {
    if (savedSpool !== undefined) process.env[USAGE_SPOOL_ENV] = savedSpool;
  });

  test("the exporter fixture of a board without a local session fails with one coded message", async () => {
    const board = await acquireBoard({ exporter }, options);
    try {
      expect(localSessionOf(board)).toBe(board.session);
      const remote = { ...board, session: undefined };
      expect(() => localSessionOf(remote)).toThrow(RemoteBoardError);
      expect(() => localSessionOf(remote)).toThrow(
        expect.objectContaining({
          code: "ERR_DUTKIT_REMOTE_BOARD",
          message: `board ${board.leaseId} is remote: its drivers run on the exporter; use the client fixture instead of exporter`,
        }),
      );
    } finally {
      await board.release();
    }
  });

  test("a shortcut gives the named driver, or says which drivers the board has", async () => {
    const board = await acquireBoard({ exporter }, options);
    try {
      const { power, missing } = shortcutFixtures(["power", "missing"]);
      let got: unknown;
      await power!({ board, client: board.client }, async (driver) => {
        got = driver;
      });
      expect(got).toBe(board.client.children.power);
      await expect(missing!({ board, client: board.client }, async () => {})).rejects.toThrow(
        'the board has no driver "missing" (exporter core-board, lease',
      );
    } finally {
      await board.release();
    }
  });

  test("a test's record has only its own calls and console lines, also when it fails", async () => {
    const board = await acquireBoard({ exporter }, options);
    const transcript = new Transcript({ name: "serial" });
    try {
      await (board.client as any).power.on();
      transcript.record("in", "before the test\n");
      await new Promise((resolve) => setTimeout(resolve, 5));
      const records: TestBoardRecord[] = [];
      const failing = useRecordedClient(
        board,
        async (client) => {
          await (client as any).power.off();
          await (client as any).power.off();
          transcript.record("out", "during the test\n");
          throw new Error("the test failed");
        },
        async (record) => {
          records.push(record);
        },
      );
      await expect(failing).rejects.toThrow("the test failed");
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        leaseId: board.leaseId,
        calls: { power: { off: { calls: 2, errors: 0 } } },
      });
      expect(records[0]!.calls).not.toHaveProperty("power.on");
      const consoles = records[0]!.consoles.filter(({ name }) => name === "serial");
      expect(consoles).toHaveLength(1);
      expect(consoles[0]!.text).toContain("> during the test");
      expect(consoles[0]!.text).not.toContain("before the test");
    } finally {
      transcript.close();
      await board.release();
    }
  });
});
