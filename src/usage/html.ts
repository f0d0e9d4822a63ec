/** `lease-usage.html`: one self-contained page (inline CSS, no scripts, no external assets). */
import { callRows, totalCalls } from "./call-stats.ts";
import type { CallStats } from "./events.ts";
import { escapeHtml, formatDuration, formatLabels } from "./format.ts";
import type { LeaseTest, LeaseUsage, LeaseUsageReport } from "./report-schema.ts";
import { renderTimelineSvg } from "./timeline.ts";

const css = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1f2933; }
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
const time = (iso: string) => `<time datetime="${text(iso)}">${text(iso.replace("T", " "))}</time>`;

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
 * Links to a test's console transcripts, relative to the page. Empty, `.` and `..` path segments
 * are dropped and the others percent-encoded, so a link can neither leave the report's directory nor
 * become an absolute or `javascript:` URL.
 */
function consoleLinks(test: LeaseTest): string {
  if (!test.consoles?.length) return '<span class="muted">none</span>';
  return test.consoles
    .map((c) => {
      const href = c.file
        .split("/")
        .filter((segment) => !/^\.*$/.test(segment))
        .map(encodeURIComponent)
        .join("/");
      return `<a href="${text(href)}" type="text/plain">${text(c.name)}</a>`;
    })
    .join("<br>");
}

function testsCell(tests: readonly LeaseTest[]): string {
  if (tests.length === 0) return '<span class="muted">none</span>';
  const count = (outcome: LeaseTest["outcome"]) => tests.filter((t) => t.outcome === outcome).length;
  const items = tests
    .map(
      (t) =>
        `<tr><td class="${text(t.outcome)}">${text(t.outcome)}</td><td>${text(t.name)}<br><span class="muted">${text(t.file)}</span></td>` +
        `<td class="num">${text(formatDuration(t.durationMs))}</td><td class="num">${totalCalls(t.calls).calls}</td>` +
        `<td>${consoleLinks(t)}</td></tr>`,
    )
    .join("");
  return (
    `<details><summary><span class="passed">${count("passed")} passed</span>, ` +
    `<span class="failed">${count("failed")} failed</span>, <span class="skipped">${count("skipped")} skipped</span></summary>` +
    `<table><tr><th>outcome</th><th>test</th><th class="num">duration</th><th class="num">calls</th><th>consoles</th></tr>${items}</table></details>`
  );
}

function leaseRow(lease: LeaseUsage): string {
  const exporter = lease.exporter
    ? `${text(lease.exporter.name)}<br><span class="muted">${text(formatLabels(lease.exporter.labels))}</span>`
    : '<span class="muted">none</span>';
  const state = lease.failedAt
    ? `<span class="errors">failed ${time(lease.failedAt)}</span>`
    : lease.unreleased
      ? '<span class="errors">never released</span>'
      : lease.releasedAt
        ? time(lease.releasedAt)
        : "";
  const context = lease.context ? `<br><span class="muted">${text(formatLabels(lease.context))}</span>` : "";
  const errors = lease.errors.map((e) => `<div>${text(e)}</div>`).join("");
  return (
    `<tr><td><code>${text(lease.id)}</code><br><span class="muted">${text(`${lease.kind}, ${lease.scope}`)}</span>${context}</td>` +
    `<td>${exporter}</td><td>${text(lease.holder)}</td><td><code>${text(lease.selector ?? "")}</code></td>` +
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
    '<table><tr><th>exporter</th><th class="num">leases</th><th class="num">held</th>' +
    `<th class="num">busy</th><th class="num">busy share of run</th></tr>${rows}</table>`
  );
}

const legend = `<p class="legend">
<span><span class="swatch" style="background:#2f6fdb"></span>held (local)</span>
<span><span class="swatch" style="background:#7c3aed"></span>held (remote)</span>
<span><span class="swatch" style="background:#a9c4f5"></span>waiting</span>
<span><span class="swatch" style="background:#f5b5ae"></span>failed to acquire</span>
<span><span class="swatch" style="border:1px dashed #b42318"></span>never released</span>
</p>`;

export function renderLeaseUsageHtml(report: LeaseUsageReport): string {
  const { totals } = report;
  const headline =
    `${totals.leases} lease(s); waited ${formatDuration(totals.waitMs)}, held ${formatDuration(totals.heldMs)}; ` +
    `tests ${totals.tests.passed} passed, ${totals.tests.failed} failed, ${totals.tests.skipped} skipped; ` +
    `${totals.calls} driver call(s), ${totals.callErrors} error(s)`;
  const leases =
    report.leases.length === 0
      ? '<p class="muted">No leases in this run.</p>'
      : "<table><tr><th>lease</th><th>exporter</th><th>holder</th><th>selector</th><th>requested</th>" +
        '<th>released</th><th class="num">wait</th><th class="num">held</th><th>tests</th><th>calls</th><th>errors</th></tr>' +
        `${report.leases.map(leaseRow).join("\n")}</table>`;
  const warnings =
    report.warnings.length === 0
      ? ""
      : `<h2>Warnings</h2><ul class="warnings">${report.warnings.map((w) => `<li>${text(w)}</li>`).join("")}</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dutkit lease usage</title>
<style>${css}</style>
</head>
<body>
<h1>Lease usage</h1>
<p class="meta">${text(report.runner)} run from ${time(report.run.startedAt)} to ${time(report.run.endedAt)} (${text(formatDuration(report.run.durationMs))}); generated ${time(report.generatedAt)}</p>
<p>${text(headline)}</p>
<h2>Timeline</h2>
${renderTimelineSvg(report)}
${report.leases.length > 0 ? legend : ""}
<h2>Exporters</h2>
${exportersTable(report)}
<h2>Leases</h2>
${leases}
${warnings}
</body>
</html>
`;
}
