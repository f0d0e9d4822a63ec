// The Playwright lease-usage reporter in a real `playwright test` child: the lease-usage-playwright.json it
// writes accounts for each worker's board, the tests that used it, their calls and outcomes.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { exitOf, innerEnv, startPlaywright } from "../fixtures/shared/__fixtures__/inner-runs.ts";
import { leaseUsageReportSchema } from "../src/usage/report-schema.ts";

const CONFIG = fileURLToPath(
  new URL("./__fixtures__/playwright-usage/playwright.config.ts", import.meta.url),
);

test("a real Playwright run's lease-usage-playwright.json lists each worker's board, its tests and calls", {
  timeout: 150_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "dutkit-pw-usage-"));
  try {
    const run = startPlaywright(CONFIG, innerEnv({ DUTKIT_INNER_OUT: dir, TMPDIR: dir }));
    const { code, output } = await exitOf(run, 120_000);
    expect(code, output).toBe(1);
    expect(output).toMatch(/1 failed/);
    expect(output).toMatch(/3 passed/);

    const report = leaseUsageReportSchema.parse(
      JSON.parse(readFileSync(join(dir, "usage", "lease-usage-playwright.json"), "utf8")),
    );
    expect(existsSync(join(dir, "usage", "lease-usage-playwright.html")), "the page next to the JSON").toBe(
      true,
    );
    expect(report.runner).toBe("playwright");
    expect(report.warnings).toEqual([]);

    // The failure ends the first worker: two workers, one board each.
    expect(report.leases).toHaveLength(2);
    for (const lease of report.leases) {
      expect(lease).toMatchObject({ kind: "local", scope: "worker", errors: [] });
      expect(lease.exporter?.name).toBe("mock-board");
      expect(lease.releasedAt).toEqual(expect.any(String));
    }
    const [first, second] = report.leases;
    const tests = (lease: typeof first) =>
      lease!.tests.map((t) => ({ name: t.name, outcome: t.outcome, calls: t.calls }));
    expect(tests(first)).toEqual([
      {
        name: "switches the power",
        outcome: "passed",
        calls: { power: { on: { calls: 2, errors: 0 }, off: { calls: 1, errors: 0 } } },
      },
      {
        name: "runs the shell",
        outcome: "passed",
        calls: { shell: { call_method: { calls: 1, errors: 0 } } },
      },
      {
        name: "fails after a call",
        outcome: "failed",
        calls: { power: { on: { calls: 1, errors: 0 }, state: { calls: 1, errors: 0 } } },
      },
    ]);
    // The lease's own count, from its release: every call of its three tests.
    expect(first!.calls).toEqual({
      power: { on: { calls: 3, errors: 0 }, off: { calls: 1, errors: 0 }, state: { calls: 1, errors: 0 } },
      shell: { call_method: { calls: 1, errors: 0 } },
    });
    expect(tests(second)).toEqual([
      {
        name: "runs on the next worker's board",
        outcome: "passed",
        calls: { power: { off: { calls: 1, errors: 0 } } },
      },
    ]);
    expect(report.totals.tests).toEqual({ passed: 3, failed: 1, skipped: 0 });
    expect(report.totals.calls).toBe(7);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
