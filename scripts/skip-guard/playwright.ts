// A Playwright reporter for CI: a skipped test that is not in the allowed list fails the run.
// example-tests/playwright.config.ts lists it.
import { relative } from "node:path";
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import { allowedSkips } from "./allowed-skips.ts";
import { describeUnexpected, guarding, type Skip, unexpectedSkips } from "./guard.ts";

export interface SkipGuardOptions {
  /** Defaults to scripts/skip-guard/allowed-skips.ts. */
  allowed?: Record<string, string>;
  /** What test files are named relative to; defaults to the working directory. */
  root?: string;
}

export default class PlaywrightSkipGuard implements Reporter {
  private readonly skips: Skip[] = [];
  private narrowed = false;

  constructor(private readonly options: SkipGuardOptions = {}) {}

  onBegin(config: FullConfig): void {
    this.narrowed = config.grep !== undefined && !isMatchAll(config.grep);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== "skipped") return;
    const file = relative(this.options.root ?? process.cwd(), test.location.file);
    // titlePath: root, project, file, describes…, title; the file is in the key already.
    const names = test.titlePath().slice(3);
    const note = test.annotations.find((a) => a.type === "skip" || a.type === "fixme")?.description;
    this.skips.push({ key: `${file} > ${names.join(" > ")}`, ...(note ? { note } : {}) });
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult["status"] } | undefined> {
    if (!guarding()) return undefined;
    if (this.narrowed) return undefined;
    const unexpected = unexpectedSkips(this.skips, this.options.allowed ?? allowedSkips);
    if (unexpected.length === 0) return undefined;
    process.stderr.write(`\n${describeUnexpected("playwright", unexpected)}\n`);
    return { status: result.status === "passed" ? "failed" : result.status };
  }
}

function isMatchAll(grep: RegExp | RegExp[]): boolean {
  const all = Array.isArray(grep) ? grep : [grep];
  return all.every((re) => re.source === "." || re.source === ".*");
}
