import { describe, expect, it } from "vitest";
import { acquired, at, calls, failed, released, requested, testRecord } from "./__fixtures__/lease-events.ts";
import type { LeaseEvent } from "./events.ts";
import { buildLeaseUsageReport, type TestUsageRecord } from "./report.ts";
import { formatLeaseUsageSummary, SUMMARY_WIDTH } from "./summary.ts";

function summary(events: LeaseEvent[], tests: TestUsageRecord[] = [], files: string[] = []) {
  const report = buildLeaseUsageReport({
    runner: "vitest",
    run: { startedAt: at(0), endedAt: at(90_000) },
    events,
    tests,
  });
  return formatLeaseUsageSummary(report, files);
}

describe("formatLeaseUsageSummary", () => {
  it("prints nothing for a run without leases", () => {
    expect(summary([], [testRecord("plain", "passed", [])])).toBe("");
  });

  it("lists each lease with wait, hold, test outcomes, calls and errors, then the totals", () => {
    const text = summary(
      [
        requested("local-1", 0),
        acquired("local-1", 1_500, "mock-board"),
        released("local-1", 31_500, { power: { on: { calls: 3, errors: 1, lastError: "relay stuck" } } }),
      ],
      [
        testRecord("a", "passed", [{ leaseId: "local-1", calls: calls({ "power.on": 2 }) }]),
        testRecord("b", "failed", [{ leaseId: "local-1", calls: calls({ "power.on": 1 }) }]),
      ],
      ["/out/lease-usage.json"],
    );
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("dutkit lease usage (vitest): 1 lease(s), run took 1m 30s");
    expect(lines[1]?.split(/\s+/)).toEqual([
      "lease",
      "exporter",
      "kind",
      "wait",
      "held",
      "passed",
      "failed",
      "calls",
      "errors",
    ]);
    expect(lines[2]?.split(/\s+/)).toEqual([
      "local-1",
      "mock-board",
      "local",
      "1.5",
      "s",
      "30.0",
      "s",
      "1",
      "1",
      "3",
      "1",
    ]);
    expect(lines[3]?.split(/\s+/)).toEqual([
      "total",
      "1",
      "exporter(s)",
      "1.5",
      "s",
      "30.0",
      "s",
      "1",
      "1",
      "3",
      "1",
    ]);
    expect(lines[4]).toBe("all tests: 1 passed, 1 failed, 0 skipped");
    expect(lines[5]).toBe("lease-usage report: /out/lease-usage.json");
  });

  it("notes failed and unreleased leases under the table", () => {
    const text = summary([
      requested("L1", 0, { kind: "remote" }),
      failed("L1", 100, "no exporter matches board=x"),
      requested("L2", 0),
      acquired("L2", 10),
    ]);
    expect(text).toContain("! L1: acquiring failed: no exporter matches board=x");
    expect(text).toContain("! L2: never released");
    expect(text).toMatch(/^L1 +\(none\) +remote +100 ms +- /m);
  });

  it("counts every test of the run and the files that failed to load, with a board or without", () => {
    const report = buildLeaseUsageReport({
      runner: "vitest",
      run: { startedAt: at(0), endedAt: at(1_000) },
      events: [requested("L1", 0), acquired("L1", 10), released("L1", 900)],
      tests: [
        testRecord("on the board", "passed", [{ leaseId: "L1", calls: {} }]),
        testRecord("no board", "failed", []),
        testRecord("later", "skipped", []),
      ],
      fileFailures: [{ file: "broken.test.ts", message: "ConfigError" }],
    });
    expect(formatLeaseUsageSummary(report)).toContain(
      "\nall tests: 1 passed, 1 failed, 1 skipped; 1 file(s) failed to load\n",
    );
  });

  it("fits every line in 110 columns, however long the names", () => {
    const long = "x".repeat(300);
    const text = summary([
      requested(`0193f2a4-7c1e-7aa0-9b1d-${long}`, 0),
      acquired(`0193f2a4-7c1e-7aa0-9b1d-${long}`, 10, long),
      released(`0193f2a4-7c1e-7aa0-9b1d-${long}`, 20, {}, long),
    ]);
    for (const line of text.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(SUMMARY_WIDTH);
    expect(text).toContain("0193f2a4…xxxxxxx ");
  });
});
