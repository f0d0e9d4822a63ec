/**
 * `lease-usage-history.jsonl`: one JSON line per run, vitest's and Playwright's alike, so that the
 * page can show board use over the last runs. Appended to at the end of each run and cut to the
 * last `keepRuns` lines (through a temporary file and a rename, so a reader never sees half of it).
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { messageOf } from "../core/errors.ts";
import { runnerSchema } from "./events.ts";
import type { LeaseUsageReport } from "./report-schema.ts";

export const LEASE_USAGE_HISTORY_FILE = "lease-usage-history.jsonl";
export const LEASE_USAGE_HISTORY_SCHEMA = "dutkit.lease-usage-history";
/** How many runs the history keeps unless the reporter's `historyRuns` option says otherwise. */
export const DEFAULT_HISTORY_RUNS = 50;

const count = z.number().int().nonnegative();

export const historyEntrySchema = z.object({
  schema: z.literal(LEASE_USAGE_HISTORY_SCHEMA),
  version: z.literal(1),
  runner: runnerSchema,
  startedAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }),
  tests: z.object({ passed: count, failed: count, skipped: count }),
  /** One entry per exporter that held a lease in the run. */
  boards: z.array(
    z.object({
      exporter: z.string(),
      labels: z.record(z.string(), z.string()),
      leases: count,
      heldMs: count,
    }),
  ),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** The history line of one run's report. */
export function historyEntryOf(report: LeaseUsageReport): HistoryEntry {
  const boards = new Map<string, HistoryEntry["boards"][number]>();
  for (const lease of report.leases) {
    if (!lease.exporter || lease.heldMs === 0) continue;
    const board = boards.get(lease.exporter.name) ?? {
      exporter: lease.exporter.name,
      labels: { ...lease.exporter.labels },
      leases: 0,
      heldMs: 0,
    };
    board.leases += 1;
    board.heldMs += lease.heldMs;
    boards.set(board.exporter, board);
  }
  const run = report.totals.run ?? report.totals.tests;
  return {
    schema: LEASE_USAGE_HISTORY_SCHEMA,
    version: 1,
    runner: report.runner,
    startedAt: report.run.startedAt,
    endedAt: report.run.endedAt,
    tests: { passed: run.passed, failed: run.failed, skipped: run.skipped },
    boards: [...boards.values()],
  };
}

/** One history line, or undefined when it is not JSON or not a history entry (a cut write). */
function readEntry(line: string): HistoryEntry | undefined {
  try {
    const parsed = historyEntrySchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Appends `entry` to the history in `dir`, keeping the last `keepRuns` runs, and returns the runs
 * kept (oldest first) with the problems met. Unreadable lines are dropped with a warning.
 */
export function appendHistory(
  dir: string,
  entry: HistoryEntry,
  keepRuns: number,
): { entries: HistoryEntry[]; warnings: string[] } {
  const path = join(dir, LEASE_USAGE_HISTORY_FILE);
  const warnings: string[] = [];
  let lines: string[] = [];
  try {
    lines = readFileSync(path, "utf8").split("\n");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      return { entries: [entry], warnings: [`cannot read the run history ${path} (${messageOf(error)})`] };
    }
  }
  const entries: HistoryEntry[] = [];
  let unreadable = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const read = readEntry(line);
    if (read) entries.push(read);
    else unreadable += 1;
  }
  if (unreadable > 0) warnings.push(`${path}: ${unreadable} unreadable line(s) dropped`);
  entries.push(entry);
  const kept = entries.slice(-keepRuns);
  try {
    mkdirSync(dir, { recursive: true });
    if (kept.length === entries.length && unreadable === 0) {
      appendFileSync(path, `${JSON.stringify(entry)}\n`);
    } else {
      const temp = `${path}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, kept.map((e) => `${JSON.stringify(e)}\n`).join(""));
        renameSync(temp, path);
      } finally {
        rmSync(temp, { force: true });
      }
    }
  } catch (error) {
    warnings.push(
      `cannot write the run history ${path} (${messageOf(error)}); set the reporter's outputDir option to a writable directory`,
    );
  }
  return { entries: kept, warnings };
}
