import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DutkitError, messageOf } from "../core/errors.ts";
import { renderLeaseUsageHtml } from "./html.ts";
import type { LeaseUsageReport } from "./report-schema.ts";

export class ReportWriteError extends DutkitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_USAGE_REPORT_WRITE", message, options);
  }
}

export const LEASE_USAGE_JSON_FILE = "lease-usage.json";
export const LEASE_USAGE_HTML_FILE = "lease-usage.html";

/** Writes `lease-usage.json` and, unless `html` is false, `lease-usage.html`; returns their paths. */
export function writeLeaseUsageFiles(
  report: LeaseUsageReport,
  options: { outputDir: string; html: boolean },
): string[] {
  const files: [path: string, render: () => string][] = [
    [join(options.outputDir, LEASE_USAGE_JSON_FILE), () => `${JSON.stringify(report, null, 2)}\n`],
  ];
  if (options.html)
    files.push([join(options.outputDir, LEASE_USAGE_HTML_FILE), () => renderLeaseUsageHtml(report)]);
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
