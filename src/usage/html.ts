/** `lease-usage-<runner>.html`: one self-contained page (inline CSS, no scripts, no external assets). */
import { callRows, totalCalls } from "./call-stats.ts";
import type { CallStats } from "./events.ts";
import { escapeHtml, formatDuration, formatLabels, formatLocalTime, truncateEnd } from "./format.ts";
import type { HistoryEntry } from "./history.ts";
import { historySection } from "./html-history.ts";
import type { ConsoleLink, LeaseTest, LeaseUsage, LeaseUsageReport } from "./report-schema.ts";
import { renderTimelineSvg } from "./timeline.ts";

export interface HtmlOptions {
  /** The runs of `lease-usage-history.jsonl`, oldest first, this one last. */
  history?: readonly HistoryEntry[];
  /** The zone of the local times shown beside UTC. Default: this machine's. */
  timeZone?: string;
}

/** The longest failure message the page shows in full; the JSON keeps all of it. */
const MESSAGE_MAX = 4000;

const css = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1f2933; overflow-wrap: anywhere; }
.wide { max-width: 100%; overflow-x: auto; }
pre.message { white-space: pre-wrap; margin: 0; font-size: 12px; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.meta, .muted { color: #616e7c; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e4e7eb; }
th { background: #f5f7fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: 12px; }
details summary { cursor: pointer; }
details table { margin: .25rem 0; font-size: 12px; }
.passed { color: #157f3b; } .failed { color: #b42318; } .skipped { color: #7b8794; }
.errors { color: #b42318; }
.warnings li { color: #8a5a00; }
.timeline { max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
.timeline .row { fill: #ffffff; } .timeline .row.odd { fill: #f5f7fa; }
.timeline .row-label { text-anchor: end; dominant-baseline: middle; fill: #1f2933; }
.timeline .tick { stroke: #d9dee4; } .timeline .tick-label { text-anchor: middle; fill: #616e7c; }
.timeline .held.local { fill: #2f6fdb; } .timeline .held.remote { fill: #7c3aed; }
.timeline .wait.local { fill: #a9c4f5; } .timeline .wait.remote { fill: #cbb4f7; }
.timeline .wait.failed { fill: #f5b5ae; stroke: #b42318; }
.timeline .held.unreleased { stroke: #b42318; stroke-dasharray: 4 2; }
.legend span { display: inline-block; margin-right: 1rem; }
.swatch { display: inline-block; width: .9rem; height: .7rem; margin-right: .3rem; vertical-align: middle; }
`;

const text = (value: string) => escapeHtml(value);
type TimeCell = (iso: string) => string;

/** Times as UTC with the local time beside them. */
function timeCell(timeZone: string): TimeCell {
  return (iso) =>
    `<time datetime="${text(iso)}">${text(iso.replace("T", " ").replace("Z", " UTC"))}</time>` +
    ` <span class="muted">(${text(formatLocalTime(iso, timeZone))})</span>`;
}

function callsTable(calls: CallStats): string {
  const rows = callRows(calls);
  if (rows.length === 0) return '<span class="muted">none</span>';
  const body = rows
    .map(
      (r) =>
        `<tr><td><code>${text(r.driver)}</code></td><td><code>${text(r.method)}</code></td>` +
        `<td class="num">${r.stats.calls}</td><td class="num">${r.stats.errors}</td>` +
        `<td class="errors">${text(r.stats.lastError ?? "")}</td></tr>`,
    )
    .join("");
  const { calls: total, errors } = totalCalls(calls);
  return (
    `<details><summary>${total} call(s), ${errors} error(s)</summary><table>` +
    '<tr><th>driver</th><th>method</th><th class="num">calls</th><th class="num">errors</th><th>last error</th></tr>' +
    `${body}</table></details>`
  );
}

/**
 * A relative link to a file next to the page. Empty and `.` segments are dropped and the others
 * percent-encoded, so it cannot become an absolute or `javascript:` URL; `..` segments are dropped
 * too unless `up` allows them (a Playwright trace lives in Playwright's outputDir, beside ours).
 */
function fileLink(link: ConsoleLink, { up, type }: { up: boolean; type?: string }): string {
  const href = link.file
    .split("/")
    .filter((segment) => !(segment === "" || segment === "." || (!up && /^\.+$/.test(segment))))
    .map(encodeURIComponent)
    .join("/");
  return `<a href="${text(href)}"${type ? ` type="${type}"` : ""}>${text(link.name)}</a>`;
}

/** Links to a test's console transcripts and the runner's files for it (traces). */
function testFiles(test: LeaseTest): string {
  const links = [
    ...(test.consoles ?? []).map((c) => fileLink(c, { up: false, type: "text/plain" })),
    ...(test.artifacts ?? []).map((a) => fileLink(a, { up: true })),
  ];
  return links.length === 0 ? '<span class="muted">none</span>' : links.join("<br>");
}

const message = (value: string) => `<pre class="message">${text(truncateEnd(value, MESSAGE_MAX))}</pre>`;

function testsCell(tests: readonly LeaseTest[]): string {
  if (tests.length === 0) return '<span class="muted">none</span>';
  const count = (outcome: LeaseTest["outcome"]) => tests.filter((t) => t.outcome === outcome).length;
  const items = tests
    .map(
      (t) =>
        `<tr><td class="${text(t.outcome)}">${text(t.outcome)}</td><td>${text(t.name)}<br><span class="muted">${text(t.file)}</span>` +
        `${t.error === undefined ? "" : message(t.error)}</td>` +
        `<td class="num">${text(formatDuration(t.durationMs))}</td><td class="num">${totalCalls(t.calls).calls}</td>` +
        `<td>${testFiles(t)}</td></tr>`,
    )
    .join("");
  return (
    `<details><summary><span class="passed">${count("passed")} passed</span>, ` +
    `<span class="failed">${count("failed")} failed</span>, <span class="skipped">${count("skipped")} skipped</span></summary>` +
    `<table><tr><th>outcome</th><th>test</th><th class="num">duration</th><th class="num">calls</th><th>consoles, traces</th></tr>${items}</table></details>`
  );
}

function leaseRow(lease: LeaseUsage, time: TimeCell): string {
  const exporter = lease.exporter
    ? `${text(lease.exporter.name)}<br><span class="muted">${text(formatLabels(lease.exporter.labels))}</span>`
    : `<span class="errors">not assigned</span>${lease.selector ? `<br><span class="muted">wanted: ${text(lease.selector)}</span>` : ""}`;
  const state = lease.failedAt
    ? `<span class="errors">failed ${time(lease.failedAt)}</span>`
    : lease.unreleased
      ? '<span class="errors">never released</span>'
      : lease.releasedAt
        ? time(lease.releasedAt)
        : "";
  const context = lease.context ? `<br><span class="muted">${text(formatLabels(lease.context))}</span>` : "";
  const errors = lease.errors.map((e) => `<div>${text(e)}</div>`).join("");
  const file = lease.file ? `<br><span class="muted">${text(lease.file)}</span>` : "";
  return (
    `<tr><td><code>${text(lease.id)}</code><br><span class="muted">${text(`${lease.kind}, ${lease.scope}`)}</span>${context}</td>` +
    `<td>${exporter}</td><td>${text(lease.holder)}${file}</td><td><code>${text(lease.selector ?? "")}</code></td>` +
    `<td>${time(lease.requestedAt)}</td><td>${state}</td>` +
    `<td class="num">${text(formatDuration(lease.waitMs))}</td><td class="num">${text(formatDuration(lease.heldMs))}</td>` +
    `<td>${testsCell(lease.tests)}</td><td>${callsTable(lease.calls)}</td><td class="errors">${errors}</td></tr>`
  );
}

function exportersTable(report: LeaseUsageReport): string {
  const rows = report.totals.exporters
    .map(
      (e) =>
        `<tr><td>${e.name ? text(e.name) : '<span class="muted">none</span>'}</td><td class="num">${e.leases}</td>` +
        `<td class="num">${text(formatDuration(e.heldMs))}</td><td class="num">${text(formatDuration(e.busyMs))}</td>` +
        `<td class="num">${(e.busyRatio * 100).toFixed(1)}%</td></tr>`,
    )
    .join("");
  return (
    '<div class="wide"><table><tr><th>exporter</th><th class="num">leases</th><th class="num">held</th>' +
    `<th class="num">busy</th><th class="num">busy share of run</th></tr>${rows}</table></div>`
  );
}

function failuresSection(report: LeaseUsageReport): string {
  if (report.failures.length === 0) return "";
  const rows = report.failures
    .map(
      (f) =>
        `<tr><td>${f.test === undefined ? '<span class="errors">file failed to load</span>' : text(f.test)}` +
        `<br><span class="muted">${text(f.file)}</span></td><td><code>${text(f.leaseId ?? "")}</code></td>` +
        `<td>${message(f.message)}</td></tr>`,
    )
    .join("");
  return (
    `<h2>Failures (${report.failures.length})</h2><div class="wide"><table>` +
    `<tr><th>test</th><th>lease</th><th>message</th></tr>${rows}</table></div>`
  );
}

/** Tests that failed on a lease that never got a board: they failed while getting it. */
function failedGettingABoard(report: LeaseUsageReport): number {
  return report.leases
    .filter((l) => l.acquiredAt === undefined)
    .reduce((sum, l) => sum + l.tests.filter((t) => t.outcome === "failed").length, 0);
}

const legend = `<p class="legend">
<span><span class="swatch" style="background:#2f6fdb"></span>held (local)</span>
<span><span class="swatch" style="background:#7c3aed"></span>held (remote)</span>
<span><span class="swatch" style="background:#a9c4f5"></span>waiting</span>
<span><span class="swatch" style="background:#f5b5ae"></span>failed to acquire</span>
<span><span class="swatch" style="border:1px dashed #b42318"></span>never released</span>
</p>`;

export function renderLeaseUsageHtml(report: LeaseUsageReport, options: HtmlOptions = {}): string {
  const time = timeCell(options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const { totals } = report;
  const run = totals.run;
  const gettingBoard = failedGettingABoard(report);
  const tests = run
    ? `tests ${run.passed} passed, ${run.failed} failed${gettingBoard ? ` (${gettingBoard} while getting a board)` : ""}, ` +
      `${run.skipped} skipped${run.filesFailedToLoad ? `; ${run.filesFailedToLoad} file(s) failed to load` : ""}`
    : `tests ${totals.tests.passed} passed, ${totals.tests.failed} failed, ${totals.tests.skipped} skipped`;
  const headline =
    `${totals.leases} lease(s); waited ${formatDuration(totals.waitMs)}, held ${formatDuration(totals.heldMs)}; ` +
    `${tests}; ${totals.calls} driver call(s), ${totals.callErrors} error(s)`;
  const leases =
    report.leases.length === 0
      ? '<p class="muted">No leases in this run.</p>'
      : '<div class="wide"><table><tr><th>lease</th><th>exporter</th><th>holder, file</th><th>selector</th><th>requested</th>' +
        '<th>released</th><th class="num">wait</th><th class="num">held</th><th>tests</th><th>calls</th><th>errors</th></tr>' +
        `${report.leases.map((l) => leaseRow(l, time)).join("\n")}</table></div>`;
  const warnings =
    report.warnings.length === 0
      ? ""
      : `<h2>Warnings</h2><ul class="warnings">${report.warnings.map((w) => `<li>${text(w)}</li>`).join("")}</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dutkit lease usage (${text(report.runner)})</title>
<style>${css}</style>
</head>
<body>
<h1>Lease usage</h1>
<p class="meta">${text(report.runner)} run from ${time(report.run.startedAt)} to ${time(report.run.endedAt)} (${text(formatDuration(report.run.durationMs))}); generated ${time(report.generatedAt)}</p>
<p>${text(headline)}</p>
${failuresSection(report)}
<h2>Timeline</h2>
${renderTimelineSvg(report)}
${report.leases.length > 0 ? legend : ""}
<h2>Exporters</h2>
${exportersTable(report)}
<h2>Leases</h2>
${leases}
${historySection(options.history ?? [], time)}
${warnings}
</body>
</html>
`;
}
