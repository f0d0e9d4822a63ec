// End to end: the example suite runs in an inner vitest with the lease-usage reporter, and the
// lease-usage-vitest.json it writes must account for every lease, test and driver call.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, type RunnerTask, test } from "vitest";
import { startVitest } from "vitest/node";
import { USAGE_SPOOL_ENV } from "../src/usage/events.ts";
import { leaseUsageReportSchema } from "../src/usage/report-schema.ts";
import { DutkitLeaseReporter } from "./vitest.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const outputDir = mkdtempSync(join(tmpdir(), "dutkit-example-usage-"));
afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

/**
 * The repository's own report files (the outer run writes them only as it closes): the inner run
 * must leave them alone, though it reads the repository's vitest.config.ts, whose reporter writes
 * there.
 */
const repoReports = () =>
  ["lease-usage-vitest.json", "lease-usage-vitest.html", "lease-usage-history.jsonl"].map((name) => {
    const path = join(root, "lease-usage", name);
    return { path, mtimeMs: statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? "absent" };
  });

test("lease-usage-vitest.json from the example run lists every lease, its tests and call counts", {
  timeout: 120_000,
}, async () => {
  // The inner run gets its own spool from its own reporter, not this run's.
  const outerSpool = process.env[USAGE_SPOOL_ENV];
  delete process.env[USAGE_SPOOL_ENV];
  const reportsBefore = repoReports();
  let vitest: Awaited<ReturnType<typeof startVitest>>;
  try {
    // The mock-board suites: the other examples need real peers (busybox, QEMU) and are run
    // by the examples project itself.
    vitest = await startVitest(
      "test",
      ["example-tests/mock-board/", "example-tests/shared-board/"],
      {
        root,
        config: join(root, "vitest.config.ts"),
        project: ["examples", "examples-shared"],
        watch: false,
        reporters: [new DutkitLeaseReporter({ outputDir, summary: false })],
      },
      {},
    );
    await vitest.close();
  } finally {
    if (outerSpool === undefined) delete process.env[USAGE_SPOOL_ENV];
    else process.env[USAGE_SPOOL_ENV] = outerSpool;
  }
  expect(repoReports(), "the inner run wrote into the repository's lease-usage/").toEqual(reportsBefore);
  const collect = (task: RunnerTask): { name: string; state?: string }[] =>
    "tasks" in task ? task.tasks.flatMap(collect) : [{ name: task.name, state: task.result?.state }];
  const testCases = vitest.state.getFiles().flatMap(collect);
  expect(testCases.length).toBeGreaterThan(0);
  expect(testCases.filter((t) => t.state !== "pass")).toEqual([]);

  const report = leaseUsageReportSchema.parse(
    JSON.parse(readFileSync(join(outputDir, "lease-usage-vitest.json"), "utf8")),
  );
  expect(report.warnings).toEqual([]);
  expect(report.runner).toBe("vitest");

  // One lease per test file that uses boardTest, one per describeBoard block, one for the run.
  const byScope = (scope: string) => report.leases.filter((lease) => lease.scope === scope);
  expect(
    byScope("file")
      .map((l) => l.exporter?.name)
      .sort(),
  ).toEqual(["mock-board", "mock-board", "typed-board"]);
  expect(byScope("block").map((l) => l.exporter?.name)).toEqual(["mock-board"]);
  expect(byScope("run").map((l) => l.exporter?.name)).toEqual(["mock-board"]);

  for (const lease of report.leases) {
    expect(lease.kind).toBe("local");
    expect(lease.acquiredAt).toBeDefined();
    expect(lease.releasedAt).toEqual(expect.any(String));
    expect(lease.errors).toEqual([]);
    expect(lease.tests.length).toBeGreaterThan(0);
    expect(lease.tests.every((t) => t.outcome === "passed")).toBe(true);
  }
  // Every test that used a board is listed under exactly one lease.
  const listed = report.leases.flatMap((lease) => lease.tests.map((t) => t.name));
  expect(new Set(listed).size).toBe(listed.length);
  expect(report.totals.tests.passed).toBe(listed.length);

  const typed = byScope("file").find((l) => l.exporter?.name === "typed-board")!;
  expect(Object.keys(typed.calls).sort()).toEqual(["power", "shell"]);
  const shared = byScope("run")[0]!;
  expect(shared.tests.map((t) => t.name).sort()).toEqual(
    expect.arrayContaining([
      "one board for the run > switch the power on",
      "the shell runs on the shared board",
    ]),
  );
  // Calls from both files went through the run's lease: first.test.ts switches on, second.test.ts
  // cycles (off, on) between two looks at the history.
  expect(shared.calls.power?.on?.calls).toBe(2);
  expect(shared.calls.power?.off?.calls).toBe(1);
  // Shell methods travel as Jumpstarter's call_method.
  expect(shared.calls.shell?.call_method?.calls).toBe(1);
  expect(shared.calls.power?.history?.calls).toBe(2);
  const block = byScope("block")[0]!;
  expect(block.calls.shell?.call_method?.calls).toBeGreaterThanOrEqual(1);
  expect(report.totals.calls).toBeGreaterThan(0);
});
