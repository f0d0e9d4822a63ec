import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquired, at, released, requested } from "./__fixtures__/lease-events.ts";
import { appendHistory, type HistoryEntry, historyEntryOf, LEASE_USAGE_HISTORY_FILE } from "./history.ts";
import { buildLeaseUsageReport } from "./report.ts";

const entry = (n: number): HistoryEntry => ({
  schema: "dutkit.lease-usage-history",
  version: 1,
  runner: "vitest",
  startedAt: at(n * 1000),
  endedAt: at(n * 1000 + 500),
  tests: { passed: n, failed: 0, skipped: 0 },
  boards: [],
});

describe("the run history", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dutkit-history-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lines = () => readFileSync(join(dir, LEASE_USAGE_HISTORY_FILE), "utf8").trimEnd().split("\n");

  it("appends one line per run and keeps only the last keepRuns of them", () => {
    for (let n = 1; n <= 3; n++) expect(appendHistory(dir, entry(n), 3).entries).toHaveLength(n);
    expect(lines()).toHaveLength(3);
    const { entries, warnings } = appendHistory(dir, entry(4), 3);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => e.tests.passed)).toEqual([2, 3, 4]);
    expect(lines().map((l) => JSON.parse(l).tests.passed)).toEqual([2, 3, 4]);
  });

  it("drops lines it cannot read, says so, and keeps the rest", () => {
    appendHistory(dir, entry(1), 10);
    appendFileSync(join(dir, LEASE_USAGE_HISTORY_FILE), '{"half a line\nnot json\n');
    const { entries, warnings } = appendHistory(dir, entry(2), 10);
    expect(entries.map((e) => e.tests.passed)).toEqual([1, 2]);
    expect(warnings).toEqual([
      expect.stringMatching(/lease-usage-history\.jsonl: 2 unreadable line\(s\) dropped$/),
    ]);
    expect(lines()).toHaveLength(2);
  });

  it("sums each exporter's held time and keeps its labels; boards never held are left out", () => {
    const report = buildLeaseUsageReport({
      runner: "playwright",
      run: { startedAt: at(0), endedAt: at(60_000) },
      events: [
        requested("a", 0),
        acquired("a", 1_000, "board-a", { board: "rpi4" }),
        released("a", 31_000),
        requested("b", 40_000),
        acquired("b", 40_000, "board-a", { board: "rpi4" }),
        released("b", 50_000),
        requested("c", 0, { selector: "board=none" }),
      ],
      tests: [],
    });
    expect(historyEntryOf(report)).toMatchObject({
      runner: "playwright",
      boards: [{ exporter: "board-a", labels: { board: "rpi4" }, leases: 2, heldMs: 40_000 }],
    });
  });
});
