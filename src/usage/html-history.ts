/** The page's "last runs" section: board-minutes by exporter and by label over the run history. */
import { escapeHtml as text } from "./format.ts";
import type { HistoryEntry } from "./history.ts";

/** How many of the runs the table of runs lists; the board-minutes cover every run kept. */
const RUNS_LISTED = 20;

const minutes = (ms: number) => (ms / 60_000).toFixed(1);

interface Tally {
  runs: number;
  leases: number;
  heldMs: number;
  /** This run's share: the last entry of the history is the run the page is about. */
  lastRunMs: number;
}

function tally(
  entries: readonly HistoryEntry[],
  keysOf: (board: HistoryEntry["boards"][number]) => string[],
) {
  const tallies = new Map<string, Tally>();
  entries.forEach((entry, index) => {
    const seen = new Set<string>();
    for (const board of entry.boards) {
      for (const key of keysOf(board)) {
        const t = tallies.get(key) ?? { runs: 0, leases: 0, heldMs: 0, lastRunMs: 0 };
        tallies.set(key, t);
        if (!seen.has(key)) t.runs += 1;
        seen.add(key);
        t.leases += board.leases;
        t.heldMs += board.heldMs;
        if (index === entries.length - 1) t.lastRunMs += board.heldMs;
      }
    }
  });
  return [...tallies].sort(([a, x], [b, y]) => y.heldMs - x.heldMs || a.localeCompare(b));
}

function tallyTable(heading: string, rows: [string, Tally][]): string {
  if (rows.length === 0) return `<p class="muted">No board was held in these runs.</p>`;
  const body = rows
    .map(
      ([key, t]) =>
        `<tr><td><code>${text(key)}</code></td><td class="num">${t.runs}</td><td class="num">${t.leases}</td>` +
        `<td class="num">${minutes(t.heldMs)}</td><td class="num">${minutes(t.lastRunMs)}</td></tr>`,
    )
    .join("");
  return (
    `<div class="wide"><table><tr><th>${text(heading)}</th><th class="num">runs</th><th class="num">leases</th>` +
    `<th class="num">board-minutes</th><th class="num">this run</th></tr>${body}</table></div>`
  );
}

/** The section, or "" without history. `time` renders a time cell as the rest of the page does. */
export function historySection(entries: readonly HistoryEntry[], time: (iso: string) => string): string {
  if (entries.length === 0) return "";
  const byExporter = tally(entries, (board) => [board.exporter]);
  const byLabel = tally(entries, (board) => Object.entries(board.labels).map(([k, v]) => `${k}=${v}`));
  const runs = entries
    .slice(-RUNS_LISTED)
    .reverse()
    .map((entry) => {
      const held = entry.boards.reduce((sum, b) => sum + b.heldMs, 0);
      const { passed, failed, skipped } = entry.tests;
      return (
        `<tr><td>${time(entry.startedAt)}</td><td>${text(entry.runner)}</td>` +
        `<td class="num"><span class="passed">${passed}</span> / <span class="failed">${failed}</span> / <span class="skipped">${skipped}</span></td>` +
        `<td class="num">${minutes(held)}</td></tr>`
      );
    })
    .join("");
  return `<h2>Board use over the last ${entries.length} run(s)</h2>
<p class="muted">From lease-usage-history.jsonl, vitest and Playwright runs alike; this run is the latest.</p>
<h3>By exporter</h3>
${tallyTable("exporter", byExporter)}
<h3>By label</h3>
${tallyTable("label", byLabel)}
<h3>Runs</h3>
<div class="wide"><table><tr><th>started</th><th>runner</th><th class="num">tests passed / failed / skipped</th><th class="num">board-minutes</th></tr>${runs}</table></div>`;
}
