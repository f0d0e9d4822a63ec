import { describe, expect, it } from "vitest";
import { acquired, at, calls, failed, released, requested, testRecord } from "./__fixtures__/lease-events.ts";
import type { LeaseEvent } from "./events.ts";
import { buildLeaseUsageReport, type TestUsageRecord } from "./report.ts";
import { leaseUsageReportSchema } from "./report-schema.ts";

function build(events: LeaseEvent[], tests: TestUsageRecord[] = [], endMs = 60_000) {
  return buildLeaseUsageReport({
    runner: "vitest",
    run: { startedAt: at(0), endedAt: at(endMs) },
    events,
    tests,
    generatedAt: at(endMs),
  });
}

describe("buildLeaseUsageReport", () => {
  it("measures the wait from request to acquisition and the hold from acquisition to release", () => {
    const report = build([requested("L1", 1_000), acquired("L1", 2_500), released("L1", 12_500)]);
    const [lease] = report.leases;
    expect(lease).toMatchObject({
      id: "L1",
      kind: "local",
      exporter: { name: "board-a", labels: { board: "rpi4" } },
      holder: "ci@lab-host",
      scope: "file",
      requestedAt: at(1_000),
      acquiredAt: at(2_500),
      releasedAt: at(12_500),
      waitMs: 1_500,
      heldMs: 10_000,
      errors: [],
    });
    expect(lease).not.toHaveProperty("unreleased");
    expect(report.run).toEqual({ startedAt: at(0), endedAt: at(60_000), durationMs: 60_000 });
    expect(report.totals).toMatchObject({
      leases: 1,
      waitMs: 1_500,
      heldMs: 10_000,
      failed: 0,
      unreleased: 0,
    });
    expect(leaseUsageReportSchema.parse(report)).toEqual(report);
  });

  it("lists a lease without a release event as unreleased, held until the end of the run", () => {
    const uses = [{ leaseId: "L1", calls: calls({ "power.on": 2 }) }];
    const report = build(
      [requested("L1", 0), acquired("L1", 100)],
      [
        testRecord("a", "passed", uses),
        testRecord("b", "failed", [{ leaseId: "L1", calls: calls({ "power.on": 1 }) }]),
      ],
      5_000,
    );
    const [lease] = report.leases;
    expect(lease).toMatchObject({ releasedAt: null, unreleased: true, waitMs: 100, heldMs: 4_900 });
    expect(lease?.calls).toEqual(calls({ "power.on": 3 }));
    expect(report.totals.unreleased).toBe(1);
    expect(leaseUsageReportSchema.parse(report)).toEqual(report);
  });

  it("counts a lease still waiting at the end of the run as unreleased, waiting until then", () => {
    const report = build([requested("L1", 1_000, { kind: "remote", selector: "board=rpi4" })], [], 4_000);
    expect(report.leases[0]).toMatchObject({ exporter: null, waitMs: 3_000, heldMs: 0, unreleased: true });
    expect(report.leases[0]).not.toHaveProperty("acquiredAt");
  });

  it("records a failed acquisition with its error and no hold", () => {
    const report = build([
      requested("L1", 0, { kind: "remote", selector: "board=rpi4" }),
      failed("L1", 2_000, "the lease cannot be satisfied"),
    ]);
    const [lease] = report.leases;
    expect(lease).toMatchObject({
      exporter: null,
      selector: "board=rpi4",
      failedAt: at(2_000),
      waitMs: 2_000,
      heldMs: 0,
      errors: ["acquiring failed: the lease cannot be satisfied"],
    });
    expect(lease).not.toHaveProperty("unreleased");
    expect(lease).not.toHaveProperty("releasedAt");
    expect(report.totals).toMatchObject({ failed: 1, unreleased: 0 });
    expect(report.totals.exporters).toEqual([{ name: "", leases: 1, heldMs: 0, busyMs: 0, busyRatio: 0 }]);
  });

  it("keeps the error of a failed release on a lease that counts as released", () => {
    const report = build([requested("L1", 0), acquired("L1", 10), released("L1", 20, {}, "close timed out")]);
    expect(report.leases[0]).toMatchObject({
      releasedAt: at(20),
      errors: ["releasing failed: close timed out"],
    });
  });

  it("takes the lease's calls from its release event over the sum of its tests", () => {
    const whole = calls({ "power.on": 5, "power.off": 5, "board.serial.write": 1 });
    const report = build(
      [requested("L1", 0), acquired("L1", 10), released("L1", 900, whole)],
      [testRecord("a", "passed", [{ leaseId: "L1", calls: calls({ "power.on": 1 }) }])],
    );
    expect(report.leases[0]?.calls).toEqual(whole);
    expect(report.leases[0]?.tests).toEqual([
      {
        id: "id-a",
        name: "a",
        file: "tests/board.test.ts",
        outcome: "passed",
        durationMs: 100,
        calls: calls({ "power.on": 1 }),
      },
    ]);
    expect(report.totals).toMatchObject({ calls: 11, callErrors: 0 });
  });

  it("aggregates tests per lease and counts each test once in the totals", () => {
    const both = [
      { leaseId: "L1", calls: calls({ "power.on": 1 }) },
      { leaseId: "L2", calls: calls({ "power.on": 1 }) },
    ];
    const report = build(
      [
        requested("L1", 0),
        acquired("L1", 0),
        released("L1", 1_000),
        requested("L2", 0),
        acquired("L2", 0, "board-b"),
        released("L2", 1_000),
      ],
      [
        testRecord("a", "passed", both, 12.6),
        testRecord("b", "failed", [{ leaseId: "L1", calls: {} }]),
        testRecord("c", "skipped", [
          { leaseId: "L2", calls: calls({ "power.on": 1 }) },
          { leaseId: "L2", calls: calls({ "power.off": 1 }) },
        ]),
        testRecord("no board", "passed", []),
      ],
    );
    expect(report.leases.map((l) => l.tests.map((t) => t.name))).toEqual([
      ["a", "b"],
      ["a", "c"],
    ]);
    expect(report.leases[0]?.tests[0]?.durationMs).toBe(13);
    expect(report.leases[1]?.tests[1]?.calls).toEqual(calls({ "power.on": 1, "power.off": 1 }));
    expect(report.totals.tests).toEqual({ passed: 1, failed: 1, skipped: 1 });
  });

  it("links a test's console transcripts under each lease it used, and only when it has some", () => {
    const consoles = [
      { name: "serial", file: "consoles/0001-a-serial.txt" },
      { name: "uboot", file: "consoles/0001-a-uboot.txt" },
    ];
    const report = build(
      [requested("L1", 0), acquired("L1", 0), requested("L2", 0), acquired("L2", 0, "board-b")],
      [
        {
          ...testRecord("a", "passed", [
            { leaseId: "L1", calls: {} },
            { leaseId: "L2", calls: {} },
          ]),
          consoles,
        },
        { ...testRecord("b", "passed", [{ leaseId: "L1", calls: {} }]), consoles: [] },
      ],
    );
    expect(report.leases.map((l) => l.tests.map((t) => t.consoles))).toEqual([
      [consoles, undefined],
      [consoles],
    ]);
    expect(Object.keys(report.leases[0]?.tests[1] ?? {})).not.toContain("consoles");
    expect(leaseUsageReportSchema.parse(report)).toEqual(report);
  });

  it("measures exporter busy time as the union of overlapping holds", () => {
    const report = build(
      [
        requested("L1", 0),
        acquired("L1", 0),
        released("L1", 20_000),
        requested("L2", 0),
        acquired("L2", 10_000),
        released("L2", 30_000),
        requested("L3", 0),
        acquired("L3", 0, "board-b"),
        released("L3", 6_000),
      ],
      [],
      60_000,
    );
    expect(report.totals.exporters).toEqual([
      { name: "board-a", leases: 2, heldMs: 40_000, busyMs: 30_000, busyRatio: 0.5 },
      { name: "board-b", leases: 1, heldMs: 6_000, busyMs: 6_000, busyRatio: 0.1 },
    ]);
  });

  it("orders events by time whatever order the spool files gave them in", () => {
    const report = build([released("L1", 3_000), acquired("L1", 1_000), requested("L1", 500)]);
    expect(report.leases[0]).toMatchObject({ waitMs: 500, heldMs: 2_000, releasedAt: at(3_000) });
    expect(report.warnings).toEqual([]);
  });

  it("widens the run to cover events from before it started", () => {
    const report = build([requested("L1", -2_000), acquired("L1", -1_000), released("L1", 1_000)], [], 5_000);
    expect(report.run).toEqual({ startedAt: at(-2_000), endedAt: at(5_000), durationMs: 7_000 });
  });

  it("warns about duplicate events, leases without a request and tests naming unknown leases", () => {
    const report = build(
      [requested("L1", 0), acquired("L1", 10), acquired("L1", 20), released("L2", 30)],
      [testRecord("a", "passed", [{ leaseId: "L9", calls: {} }])],
    );
    expect(report.leases.map((l) => l.id)).toEqual(["L1"]);
    expect(report.leases[0]?.acquiredAt).toBe(at(10));
    expect(report.warnings).toEqual([
      "lease L1 has more than one lease-acquired event; the first is kept",
      expect.stringContaining('lease L9 is used by 1 test(s) (first: "a")'),
      "lease L2 has events but no lease-requested event; it is left out of the report",
    ]);
  });

  it("builds an empty, valid report when no lease was used", () => {
    const report = build([], [testRecord("plain", "passed", [])]);
    expect(report.leases).toEqual([]);
    expect(report.totals).toEqual({
      leases: 0,
      failed: 0,
      unreleased: 0,
      waitMs: 0,
      heldMs: 0,
      tests: { passed: 0, failed: 0, skipped: 0 },
      calls: 0,
      callErrors: 0,
      exporters: [],
      run: { passed: 1, failed: 0, skipped: 0, filesFailedToLoad: 0 },
    });
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ schema: "dutkit.lease-usage", version: 1, runner: "vitest" });
    expect(leaseUsageReportSchema.parse(report)).toEqual(report);
  });

  it("names the test file of a lease still waiting, and of one that failed, with the board it knew", () => {
    const report = build(
      [
        requested("waiting", 1_000, { kind: "remote", selector: "board=rpi4", file: "lab/rpi.test.ts" }),
        requested("broken", 2_000, { file: "lab/broken.test.ts" }),
        failed("broken", 2_500, "serial port /dev/ttyUSB9 is not present"),
      ].map((e) =>
        e.type === "lease-failed" ? { ...e, exporter: { name: "bench-3", labels: { board: "bbb" } } } : e,
      ),
      [
        { ...testRecord("waits", "failed", []), file: "lab/rpi.test.ts", error: "Test timed out" },
        { ...testRecord("breaks", "failed", []), file: "lab/broken.test.ts", error: "not present" },
        { ...testRecord("elsewhere", "failed", []), file: "lab/other.test.ts", error: "boom" },
      ],
    );
    const [waiting, broken] = report.leases;
    expect(waiting).toMatchObject({
      id: "waiting",
      exporter: null,
      selector: "board=rpi4",
      file: "lab/rpi.test.ts",
    });
    expect(waiting?.unreleased).toBe(true);
    expect(waiting?.tests.map((t) => [t.name, t.error])).toEqual([["waits", "Test timed out"]]);
    expect(broken).toMatchObject({
      exporter: { name: "bench-3", labels: { board: "bbb" } },
      file: "lab/broken.test.ts",
    });
    expect(broken?.tests.map((t) => t.name)).toEqual(["breaks"]);
    expect(report.failures).toEqual([
      { test: "waits", file: "lab/rpi.test.ts", message: "Test timed out", leaseId: "waiting" },
      { test: "breaks", file: "lab/broken.test.ts", message: "not present", leaseId: "broken" },
      { test: "elsewhere", file: "lab/other.test.ts", message: "boom" },
    ]);
    expect(report.totals.run).toEqual({ passed: 0, failed: 3, skipped: 0, filesFailedToLoad: 0 });
    expect(leaseUsageReportSchema.parse(report)).toEqual(report);
  });
});
