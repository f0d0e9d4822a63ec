/**
 * The board-usage timeline as an SVG: one row per exporter, one bar per lease from acquisition to
 * release, preceded by a lighter bar for the wait. Overlapping leases of one exporter stack in
 * lanes inside its row. Styling comes from the page's CSS classes (see html.ts).
 */
import { escapeHtml, formatDuration, truncateEnd } from "./format.ts";
import { heldInterval } from "./report.ts";
import type { LeaseUsage, LeaseUsageReport } from "./report-schema.ts";

const width = 1000;
const labelWidth = 190;
const plotLeft = labelWidth + 10;
const plotRight = width - 20;
const axisHeight = 28;
const laneHeight = 18;
const lanePadding = 4;
const rowGap = 6;

/** Tick spacings that read well on a time axis, in ms. */
const tickSteps = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

interface PlacedLease {
  lease: LeaseUsage;
  lane: number;
  /** Wait from request to acquisition (or failure, or run end); ms on the run's clock. */
  wait: { from: number; to: number };
  held: { from: number; to: number } | undefined;
}

interface Row {
  label: string;
  leases: PlacedLease[];
  lanes: number;
}

const timeOf = (iso: string): number => Date.parse(iso);
const fixed = (n: number): string => n.toFixed(1);

function placeInRows(report: LeaseUsageReport, runEnd: number): Row[] {
  const rows = new Map<string, Row>();
  for (const lease of report.leases) {
    const label = lease.exporter?.name || `(no exporter) ${lease.selector ?? ""}`.trim();
    const row = rows.get(label) ?? { label, leases: [], lanes: 0 };
    rows.set(label, row);
    const held = heldInterval(lease, runEnd);
    const from = timeOf(lease.requestedAt);
    const wait = { from, to: from + lease.waitMs };
    // The first lane whose leases all end before this one starts.
    let lane = 0;
    while (row.leases.some((p) => p.lane === lane && (p.held?.to ?? p.wait.to) > from)) lane++;
    row.leases.push({ lease, lane, wait, held });
    row.lanes = Math.max(row.lanes, lane + 1);
  }
  return [...rows.values()];
}

function tickStep(durationMs: number): number {
  const wanted = durationMs / 8;
  return tickSteps.find((step) => step >= wanted) ?? Math.ceil(wanted / 86_400_000) * 86_400_000;
}

/** `0`, `+500 ms`, `+15 s`, `+1m 30s`: offsets from the start of the run. */
function tickLabel(offsetMs: number): string {
  return offsetMs === 0 ? "0" : `+${formatDuration(offsetMs).replace(/\.0 s$/, " s")}`;
}

function leaseTitle(lease: LeaseUsage): string {
  const passed = lease.tests.filter((t) => t.outcome === "passed").length;
  const failed = lease.tests.filter((t) => t.outcome === "failed").length;
  const state = lease.failedAt ? "failed to acquire" : lease.unreleased ? "never released" : "released";
  return [
    `lease ${lease.id} (${lease.kind}, ${state})`,
    `holder ${lease.holder}`,
    `wait ${formatDuration(lease.waitMs)}, held ${formatDuration(lease.heldMs)}`,
    `tests: ${passed} passed, ${failed} failed`,
  ].join("\n");
}

/** The timeline SVG for a report, or a short paragraph when there is nothing to draw. */
export function renderTimelineSvg(report: LeaseUsageReport): string {
  if (report.leases.length === 0) return '<p class="empty">No leases in this run.</p>';
  const runStart = timeOf(report.run.startedAt);
  const runEnd = timeOf(report.run.endedAt);
  const duration = Math.max(runEnd - runStart, 1);
  const x = (t: number) => plotLeft + ((t - runStart) / duration) * (plotRight - plotLeft);
  const barWidth = (from: number, to: number) => Math.max(x(to) - x(from), 1);

  const rows = placeInRows(report, runEnd);
  const backgrounds: string[] = [];
  const bars: string[] = [];
  let y = axisHeight;
  rows.forEach((row, index) => {
    const rowHeight = row.lanes * laneHeight + 2 * lanePadding;
    backgrounds.push(
      `<rect class="row${index % 2 ? " odd" : ""}" x="0" y="${y}" width="${width}" height="${rowHeight}"/>`,
      `<text class="row-label" x="${labelWidth}" y="${fixed(y + rowHeight / 2)}">${escapeHtml(truncateEnd(row.label, 28))}</text>`,
    );
    for (const { lease, lane, wait, held } of row.leases) {
      const top = y + lanePadding + lane * laneHeight + 2;
      const height = laneHeight - 4;
      const rect = (classes: string, from: number, to: number) =>
        `<rect class="${classes} ${escapeHtml(lease.kind)}" x="${fixed(x(from))}" y="${top}" width="${fixed(barWidth(from, to))}" height="${height}"/>`;
      const shapes = [rect(lease.failedAt ? "wait failed" : "wait", wait.from, wait.to)];
      if (held) shapes.push(rect(lease.unreleased ? "held unreleased" : "held", held.from, held.to));
      bars.push(
        `<g class="lease" data-lease="${escapeHtml(lease.id)}"><title>${escapeHtml(leaseTitle(lease))}</title>${shapes.join("")}</g>`,
      );
    }
    y += rowHeight + rowGap;
  });

  const axis: string[] = [];
  const step = tickStep(duration);
  for (let t = 0; t <= duration; t += step) {
    const tx = fixed(x(runStart + t));
    axis.push(
      `<line class="tick" x1="${tx}" y1="${axisHeight - 6}" x2="${tx}" y2="${y}"/>`,
      `<text class="tick-label" x="${tx}" y="${axisHeight - 10}">${escapeHtml(tickLabel(t))}</text>`,
    );
  }
  const height = y + 4;
  const label = `Board usage from ${report.run.startedAt} to ${report.run.endedAt}`;
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}">`,
    ...backgrounds,
    ...axis,
    ...bars,
    "</svg>",
  ].join("\n");
}
