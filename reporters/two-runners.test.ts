// vitest and Playwright runs (real child processes) reporting into one lease-usage folder, as the
// README sets them up: neither report replaces the other, the history holds both runs, every
// failure vitest counts is in the report with its message, failed leases name their board and
// test file, and the pages link traces and transcripts that exist.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  exitOf,
  innerEnv,
  startPlaywright,
  startVitest,
} from "../fixtures/shared/__fixtures__/inner-runs.ts";
import { historyEntrySchema, LEASE_USAGE_HISTORY_FILE } from "../src/usage/history.ts";
import { type LeaseUsageReport, leaseUsageReportSchema } from "../src/usage/report-schema.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`./__fixtures__/whole-story/${name}`, import.meta.url));

let dir: string;
let usage: string;
const runs: Record<"vitest" | "playwright", { code: number | null; output: string }> = {
  vitest: { code: null, output: "" },
  playwright: { code: null, output: "" },
};
const report = (runner: "vitest" | "playwright"): LeaseUsageReport =>
  leaseUsageReportSchema.parse(JSON.parse(readFileSync(join(usage, `lease-usage-${runner}.json`), "utf8")));
const page = (runner: "vitest" | "playwright") =>
  readFileSync(join(usage, `lease-usage-${runner}.html`), "utf8");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-two-runners-"));
  usage = join(dir, "lease-usage");
  const env = innerEnv({ DUTKIT_INNER_OUT: dir });
  // One after the other, as a CI job runs them: Playwright's start must not disturb vitest's report.
  runs.vitest = await exitOf(startVitest(fixture("vitest.config.ts"), env), 90_000);
  runs.playwright = await exitOf(startPlaywright(fixture("playwright.config.ts"), env), 120_000);
}, 240_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("vitest and Playwright reporting into one lease-usage folder", () => {
  test("both runs failed on purpose, and each report is there beside the other", () => {
    expect(runs.vitest.code, runs.vitest.output).toBe(1);
    expect(runs.playwright.code, runs.playwright.output).toBe(1);
    expect(readdirSync(usage).sort()).toEqual([
      "consoles",
      LEASE_USAGE_HISTORY_FILE,
      "lease-usage-playwright.html",
      "lease-usage-playwright.json",
      "lease-usage-vitest.html",
      "lease-usage-vitest.json",
    ]);
    expect(report("vitest").runner).toBe("vitest");
    expect(report("playwright").runner).toBe("playwright");
    expect(readdirSync(join(usage, "consoles")).sort()).toEqual(["playwright", "vitest"]);
    expect(report("playwright").warnings).toEqual([]);
  });

  test("the history holds one line per run, and the page sums board-minutes by exporter and by label", () => {
    const lines = readFileSync(join(usage, LEASE_USAGE_HISTORY_FILE), "utf8").trimEnd().split("\n");
    const history = lines.map((line) => historyEntrySchema.parse(JSON.parse(line)));
    expect(history.map((h) => h.runner)).toEqual(["vitest", "playwright"]);
    for (const entry of history) {
      expect(entry.boards.map((b) => [b.exporter, b.labels])).toEqual([
        ["bench-board", { board: "mock", bench: "bench-1" }],
      ]);
    }
    const html = page("playwright");
    expect(html).toContain("Board use over the last 2 run(s)");
    const minutes = (history[0]!.boards[0]!.heldMs + history[1]!.boards[0]!.heldMs) / 60_000;
    for (const key of ["bench-board", "board=mock", "bench=bench-1"]) {
      expect(html).toMatch(
        new RegExp(
          `<tr><td><code>${key}</code></td><td class="num">2</td><td class="num">2</td><td class="num">${minutes.toFixed(1)}</td>`,
        ),
      );
    }
  });

  test("the report counts every failed test and every file that failed to load, as vitest does", () => {
    const results = JSON.parse(readFileSync(join(dir, "vitest-results.json"), "utf8")) as {
      numFailedTests: number;
      numPassedTests: number;
      testResults: { name: string; status: string; assertionResults: unknown[] }[];
    };
    const notLoaded = results.testResults.filter(
      (f) => f.status === "failed" && f.assertionResults.length === 0,
    );
    const { run } = report("vitest").totals;
    expect(run).toEqual({
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: 0,
      filesFailedToLoad: notLoaded.length,
    });
    expect(run).toMatchObject({ failed: 3, filesFailedToLoad: 1 });
    expect(page("vitest")).toContain(
      "tests 2 passed, 3 failed (2 while getting a board), 0 skipped; 1 file(s) failed to load",
    );
  });

  test("each failure's message is in the JSON and on the page", () => {
    const failures = report("vitest").failures.map((f) => ({
      test: f.test,
      file: f.file,
      message: f.message,
    }));
    expect(failures).toEqual([
      {
        test: "fails an assertion on the board",
        file: expect.stringMatching(/board\.test\.ts$/),
        message: expect.stringContaining("the power after on(): expected 'on' to be 'off'"),
      },
      ...["needs the unplugged board", "needs it too"].map((test) => ({
        test,
        file: expect.stringMatching(/unplugged\.test\.ts$/),
        message: expect.stringContaining("serial port /dev/dutkit-no-such-port is not present"),
      })),
      {
        test: undefined,
        file: expect.stringMatching(/fails-to-load\.test\.ts$/),
        message: expect.stringContaining('unknown driver type "jumpstarter_driver_power.driver.NoSuchPower"'),
      },
    ]);
    const html = page("vitest");
    expect(html).toContain("Failures (4)");
    expect(html).toContain("the power after on(): expected &#39;on&#39; to be &#39;off&#39;");
    expect(html).toContain("serial port /dev/dutkit-no-such-port is not present");
    expect(html).toContain("unknown driver type &quot;jumpstarter_driver_power.driver.NoSuchPower&quot;");
    const [playwrightFailure] = report("playwright").failures;
    expect(playwrightFailure?.message).toContain("the power after on()");
  });

  test("a lease that failed names its board and its test file, and lists the tests that failed on it", () => {
    for (const [runner, file] of [
      ["vitest", "unplugged.test.ts"],
      ["playwright", "unplugged.spec.ts"],
    ] as const) {
      const failed = report(runner).leases.filter((l) => l.failedAt !== undefined);
      expect(failed, runner).toHaveLength(1);
      expect(failed[0]!.exporter, runner).toEqual({
        name: "unplugged-board",
        labels: { board: "unplugged" },
      });
      expect(failed[0]!.file, runner).toMatch(new RegExp(`${file.replace(".", "\\.")}$`));
      expect(
        failed[0]!.tests.every((t) => t.outcome === "failed" && t.file === failed[0]!.file),
        runner,
      ).toBe(true);
      expect(failed[0]!.tests.length, runner).toBe(runner === "vitest" ? 2 : 1);
    }
  });

  test("the pages link the Playwright traces and the console transcripts, and every link exists", () => {
    for (const runner of ["vitest", "playwright"] as const) {
      const hrefs = [...page(runner).matchAll(/href="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
      expect(
        hrefs.filter((h) => h.startsWith("consoles/")),
        runner,
      ).toHaveLength(1);
      for (const href of hrefs) expect(existsSync(resolve(usage, href)), `${runner}: ${href}`).toBe(true);
    }
    const traces = [...page("playwright").matchAll(/href="([^"]+)">trace</g)].map((m) => m[1]!);
    // Every Playwright test recorded one: the two on the board, and the one that could not get it.
    expect(traces).toHaveLength(3);
    for (const trace of traces) expect(dirname(resolve(usage, trace))).toContain(join(dir, "test-results"));
  });
});
