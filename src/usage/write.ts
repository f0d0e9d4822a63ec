import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DutkitError, messageOf } from "../core/errors.ts";
import type { Runner } from "./events.ts";
import type { HistoryEntry } from "./history.ts";
import { renderLeaseUsageHtml } from "./html.ts";
import type { LeaseUsageReport } from "./report-schema.ts";

export class ReportWriteError extends DutkitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_USAGE_REPORT_WRITE", message, options);
  }
}

/**
 * The report's file names carry the runner, so that vitest's and Playwright's reports can share a
 * directory without one replacing the other: `lease-usage-vitest.json`, `lease-usage-playwright.html`.
 */
export function leaseUsageFileNames(runner: Runner): { json: string; html: string } {
  return { json: `lease-usage-${runner}.json`, html: `lease-usage-${runner}.html` };
}

/** Writes the report's JSON and, unless `html` is false, its page; returns their paths. */
export function writeLeaseUsageFiles(
  report: LeaseUsageReport,
  options: { outputDir: string; html: boolean; history?: readonly HistoryEntry[] },
): string[] {
  const names = leaseUsageFileNames(report.runner);
  const files: [path: string, render: () => string][] = [
    [join(options.outputDir, names.json), () => `${JSON.stringify(report, null, 2)}\n`],
  ];
  if (options.html) {
    files.push([
      join(options.outputDir, names.html),
      () => renderLeaseUsageHtml(report, { history: options.history ?? [] }),
    ]);
  }
  try {
    mkdirSync(options.outputDir, { recursive: true });
    for (const [path, render] of files) writeFileSync(path, render());
  } catch (error) {
    throw new ReportWriteError(
      `cannot write the lease-usage report to ${options.outputDir} (${messageOf(error)}); ` +
        "set the reporter's outputDir option to a writable directory",
      { cause: error },
    );
  }
  return files.map(([path]) => path);
}
