// The page in a real browser (Debian's Chromium, as example-tests/playwright.config.ts uses): at
// 1400 px nothing makes the document scroll sideways, however long the names and messages are.
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";
import { expect, test } from "vitest";
import { acquired, at, calls, failed, released, requested, testRecord } from "./__fixtures__/lease-events.ts";
import type { LeaseEvent } from "./events.ts";
import type { HistoryEntry } from "./history.ts";
import { renderLeaseUsageHtml } from "./html.ts";
import { buildLeaseUsageReport, type TestUsageRecord } from "./report.ts";

const CHROMIUM = process.env.DUTKIT_CHROMIUM ?? "/usr/bin/chromium";
const long = (word: string) => `${word}-${"x".repeat(180)}`;

/** A run with everything that makes a page wide: long ids, paths, labels, selectors and messages. */
function widePage(): string {
  const events: LeaseEvent[] = [];
  const tests: TestUsageRecord[] = [];
  for (let i = 0; i < 6; i++) {
    const id = `${long("lease")}-${i}`;
    const file = `lab/${long("suite")}/${i}.test.ts`;
    events.push(
      requested(id, i * 1000, {
        selector: `board=${long("rpi4")},site=${long("lab")}`,
        holder: `${long("ci")}@${long("host")}`,
        file,
        context: { build: long("build") },
      }),
    );
    if (i === 5) {
      events.push(failed(id, 5_500, `${long("acquiring")} ${"no-spaces-here/".repeat(20)}`));
      tests.push({ ...testRecord(long("waits"), "failed", []), file, error: long("timed out") });
      continue;
    }
    events.push(acquired(id, i * 1000 + 100, long("exporter"), { [long("label")]: long("value") }));
    events.push(released(id, i * 1000 + 900, calls({ [`${long("driver")}.${long("method")}`]: 2 })));
    tests.push({
      ...testRecord(long("test"), "failed", [{ leaseId: id, calls: calls({ "power.on": 1 }) }]),
      file,
      error: `${long("AssertionError")}\n${"expected-".repeat(60)}`,
      consoles: [{ name: long("serial"), file: `consoles/vitest/${long("0001")}.txt` }],
      artifacts: [{ name: "trace", file: `../test-results/${long("dir")}/trace.zip` }],
    });
  }
  const report = buildLeaseUsageReport({
    runner: "vitest",
    run: { startedAt: at(0), endedAt: at(10_000) },
    events,
    tests,
    fileFailures: [{ file: `lab/${long("broken")}.test.ts`, message: long("ConfigError") }],
    warnings: [long("warning")],
  });
  const history: HistoryEntry[] = [1, 2, 3].map((n) => ({
    schema: "dutkit.lease-usage-history",
    version: 1,
    runner: "playwright",
    startedAt: at(n),
    endedAt: at(n + 1),
    tests: { passed: n, failed: 1, skipped: 0 },
    boards: [
      { exporter: long("exporter"), labels: { [long("label")]: long("value") }, leases: 1, heldMs: 60_000 },
    ],
  }));
  return renderLeaseUsageHtml(report, { history });
}

test("the page does not scroll sideways at 1400 px", { timeout: 60_000 }, async () => {
  expect(
    existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: apt-get install chromium (npm test installs it)`,
  ).toBe(true);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    timeout: 30_000,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.setContent(widePage(), { timeout: 20_000 });
    // Every <details> open, as a reader would have them. (Strings: this project has no DOM types.)
    await page.evaluate('for (const details of document.querySelectorAll("details")) details.open = true');
    const size = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
      "({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })",
    );
    expect(size.innerWidth).toBe(1400);
    expect(size.scrollWidth, "the document's width").toBeLessThanOrEqual(size.innerWidth);
  } finally {
    await browser.close();
  }
});
