/** The plain-text table printed at the end of a run; every line fits in 110 columns. */
import { totalCalls } from "./call-stats.ts";
import { formatDuration, truncateEnd, truncateMiddle } from "./format.ts";
import type { LeaseUsage, LeaseUsageReport } from "./report-schema.ts";

export const SUMMARY_WIDTH = 110;

/** One table row's worth of numbers, for a lease or for the whole run. */
interface RowValues {
  lease: string;
  exporter: string;
  kind: string;
  wait: string;
  held: string;
  passed: number;
  failed: number;
  calls: number;
  errors: number;
}

const columns: { key: keyof RowValues; width: number; align: "left" | "right" }[] = [
  { key: "lease", width: 16, align: "left" },
  { key: "exporter", width: 26, align: "left" },
  { key: "kind", width: 6, align: "left" },
  { key: "wait", width: 8, align: "right" },
  { key: "held", width: 8, align: "right" },
  { key: "passed", width: 6, align: "right" },
  { key: "failed", width: 6, align: "right" },
  { key: "calls", width: 7, align: "right" },
  { key: "errors", width: 6, align: "right" },
];

function row(cells: Record<keyof RowValues, string>): string {
  return columns
    .map(({ key, width, align }) => {
      const text = truncateEnd(cells[key], width);
      return align === "left" ? text.padEnd(width) : text.padStart(width);
    })
    .join("  ")
    .trimEnd();
}

function valuesRow(values: RowValues): string {
  const text = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
  return row(text as Record<keyof RowValues, string>);
}

function leaseValues(lease: LeaseUsage): RowValues {
  const calls = totalCalls(lease.calls);
  return {
    lease: truncateMiddle(lease.id, 16),
    exporter: lease.exporter?.name ?? "(none)",
    kind: lease.kind,
    wait: formatDuration(lease.waitMs),
    held: lease.acquiredAt === undefined ? "-" : formatDuration(lease.heldMs),
    passed: lease.tests.filter((t) => t.outcome === "passed").length,
    failed: lease.tests.filter((t) => t.outcome === "failed").length,
    calls: calls.calls,
    errors: calls.errors + lease.errors.length,
  };
}

/** Notes under the table: leases that failed, were never released or had release errors. */
function notes(lease: LeaseUsage): string[] {
  const lines = lease.errors.map((error) => `! ${lease.id}: ${error}`);
  if (lease.unreleased)
    lines.push(`! ${lease.id}: never released (its worker ended first); counted until run end`);
  return lines.map((line) => truncateEnd(line, SUMMARY_WIDTH));
}

/** Every test of the run, with a board or without, as the runner counts them. */
function runLine(report: LeaseUsageReport): string[] {
  const run = report.totals.run;
  if (!run) return [];
  const notLoaded = run.filesFailedToLoad ? `; ${run.filesFailedToLoad} file(s) failed to load` : "";
  return [`all tests: ${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped${notLoaded}`];
}

/** The summary text, or "" when the run used no leases. `files` are listed at the end. */
export function formatLeaseUsageSummary(report: LeaseUsageReport, files: readonly string[] = []): string {
  if (report.leases.length === 0) return "";
  const { totals } = report;
  const headers = Object.fromEntries(columns.map((c) => [c.key, c.key])) as Record<keyof RowValues, string>;
  const totalRow: RowValues = {
    lease: "total",
    exporter: `${totals.exporters.length} exporter(s)`,
    kind: "",
    wait: formatDuration(totals.waitMs),
    held: formatDuration(totals.heldMs),
    passed: totals.tests.passed,
    failed: totals.tests.failed,
    calls: totals.calls,
    errors: totals.callErrors + report.leases.reduce((sum, l) => sum + l.errors.length, 0),
  };
  const lines = [
    `dutkit lease usage (${report.runner}): ${totals.leases} lease(s), run took ${formatDuration(report.run.durationMs)}`,
    row(headers),
    ...report.leases.map((lease) => valuesRow(leaseValues(lease))),
    valuesRow(totalRow),
    ...report.leases.flatMap(notes),
    ...runLine(report),
    ...files.map((file) => `lease-usage report: ${file}`),
  ];
  return `${lines.join("\n")}\n`;
}
