/** Builds the lease-usage report from spool events and per-test records; runner independent. */
import { mergeCallStats, totalCalls } from "./call-stats.ts";
import type {
  CallStats,
  LeaseAcquiredEvent,
  LeaseEvent,
  LeaseFailedEvent,
  LeaseReleasedEvent,
  LeaseRequestedEvent,
  Runner,
  TestLeaseUse,
} from "./events.ts";
import {
  type ConsoleLink,
  type ExporterUsage,
  LEASE_USAGE_REPORT_SCHEMA,
  LEASE_USAGE_REPORT_VERSION,
  type LeaseTest,
  type LeaseUsage,
  type LeaseUsageReport,
  type LeaseUsageTotals,
  type TestOutcome,
} from "./report-schema.ts";

/** One finished test (one attempt, for runners that retry) as a reporter saw it. */
export interface TestUsageRecord {
  id: string;
  /** Full name, suites included. */
  name: string;
  file: string;
  outcome: TestOutcome;
  durationMs: number;
  leases: TestLeaseUse[];
  /** Links to the test's console transcripts, already written; listed under each of its leases. */
  consoles?: ConsoleLink[];
  /** Links to the runner's files for the test (a Playwright trace), relative to the report. */
  artifacts?: ConsoleLink[];
  /** The first error's message, for a failed test. */
  error?: string;
}

/** A test file that failed to load: none of its tests ran. */
export interface FileFailure {
  file: string;
  message: string;
}

export interface LeaseUsageInput {
  runner: Runner;
  /** ISO times; widened to cover every event. */
  run: { startedAt: string; endedAt: string };
  events: readonly LeaseEvent[];
  /** Every finished test of the run; those that used no lease count in `totals.run` and `failures` only. */
  tests: readonly TestUsageRecord[];
  fileFailures?: readonly FileFailure[];
  /** Problems found while collecting the input, carried into the report. */
  warnings?: readonly string[];
  /** Defaults to now. */
  generatedAt?: string;
}

interface LeaseHistory {
  requested?: LeaseRequestedEvent;
  acquired?: LeaseAcquiredEvent;
  released?: LeaseReleasedEvent;
  failed?: LeaseFailedEvent;
}

const historySlot = {
  "lease-requested": "requested",
  "lease-acquired": "acquired",
  "lease-released": "released",
  "lease-failed": "failed",
} as const satisfies Record<LeaseEvent["type"], keyof LeaseHistory>;

const timeOf = (iso: string): number => Date.parse(iso);
const span = (from: number, to: number): number => Math.max(0, Math.round(to - from));

export function buildLeaseUsageReport(input: LeaseUsageInput): LeaseUsageReport {
  const warnings = [...(input.warnings ?? [])];
  const events = [...input.events].sort((a, b) => timeOf(a.at) - timeOf(b.at));
  const histories = groupByLease(events, warnings);

  const runStart = events.reduce((min, e) => Math.min(min, timeOf(e.at)), timeOf(input.run.startedAt));
  const runEnd = events.reduce((max, e) => Math.max(max, timeOf(e.at)), timeOf(input.run.endedAt));

  const { byLease: testsByLease, leaseOf } = assignTests(input.tests, histories, warnings);
  const leases: LeaseUsage[] = [];
  for (const [leaseId, history] of histories) {
    if (!history.requested) {
      warnings.push(`lease ${leaseId} has events but no lease-requested event; it is left out of the report`);
      continue;
    }
    leases.push(describeLease(history.requested, history, testsByLease.get(leaseId) ?? [], runEnd));
  }
  leases.sort((a, b) => timeOf(a.requestedAt) - timeOf(b.requestedAt) || a.id.localeCompare(b.id));

  return {
    schema: LEASE_USAGE_REPORT_SCHEMA,
    version: LEASE_USAGE_REPORT_VERSION,
    generatedAt: input.generatedAt ?? new Date().toISOString(),
    runner: input.runner,
    run: {
      startedAt: new Date(runStart).toISOString(),
      endedAt: new Date(runEnd).toISOString(),
      durationMs: span(runStart, runEnd),
    },
    leases,
    totals: totalsOf(leases, input, new Set(leaseOf.keys()), runStart, runEnd),
    failures: [
      ...input.tests
        .filter((t) => t.outcome === "failed")
        .map((t) => ({
          test: t.name,
          file: t.file,
          message: t.error ?? "(the runner gave no message)",
          ...(leaseOf.has(t) && { leaseId: leaseOf.get(t) }),
        })),
      ...(input.fileFailures ?? []).map((f) => ({ file: f.file, message: f.message })),
    ],
    warnings,
  };
}

function groupByLease(events: readonly LeaseEvent[], warnings: string[]): Map<string, LeaseHistory> {
  const histories = new Map<string, LeaseHistory>();
  for (const event of events) {
    const history = histories.get(event.leaseId) ?? {};
    histories.set(event.leaseId, history);
    const slot = historySlot[event.type];
    if (history[slot]) {
      warnings.push(`lease ${event.leaseId} has more than one ${event.type} event; the first is kept`);
      continue;
    }
    // The slot matches the event type by construction of historySlot.
    (history as Record<string, LeaseEvent>)[slot] = event;
  }
  return histories;
}

/**
 * Lists each test under the leases it used. A failed test that used none is listed under the
 * lease its file asked for and never got: it failed while getting the board.
 */
function assignTests(
  tests: readonly TestUsageRecord[],
  histories: ReadonlyMap<string, LeaseHistory>,
  warnings: string[],
): { byLease: Map<string, LeaseTest[]>; leaseOf: Map<TestUsageRecord, string> } {
  const byLease = new Map<string, LeaseTest[]>();
  const leaseOf = new Map<TestUsageRecord, string>();
  const unknown = new Map<string, string[]>();
  const add = (leaseId: string, test: TestUsageRecord, calls: CallStats) => {
    const list = byLease.get(leaseId) ?? [];
    byLease.set(leaseId, list);
    if (!leaseOf.has(test)) leaseOf.set(test, leaseId);
    list.push({
      id: test.id,
      name: test.name,
      file: test.file,
      outcome: test.outcome,
      durationMs: Math.max(0, Math.round(test.durationMs)),
      calls,
      // A transcript cannot be told apart by lease, so every lease of the test links all of them.
      ...(test.consoles?.length ? { consoles: test.consoles.map((c) => ({ ...c })) } : {}),
      ...(test.artifacts?.length ? { artifacts: test.artifacts.map((a) => ({ ...a })) } : {}),
      ...(test.error !== undefined && { error: test.error }),
    });
  };
  const neverAcquired = [...histories].filter(([, h]) => h.requested?.file !== undefined && !h.acquired);
  for (const test of tests) {
    if (test.leases.length === 0) {
      if (test.outcome !== "failed") continue;
      // The latest such lease of the file: a file asks again after an earlier lease ended.
      const lease = neverAcquired.findLast(([, h]) => h.requested?.file === test.file);
      if (lease) add(lease[0], test, {});
      continue;
    }
    // A test may report one lease several times (one Playwright attachment per fixture).
    const callsByLease = new Map<string, CallStats[]>();
    for (const use of test.leases)
      callsByLease.set(use.leaseId, [...(callsByLease.get(use.leaseId) ?? []), use.calls]);
    for (const [leaseId, calls] of callsByLease) {
      if (!histories.get(leaseId)?.requested) {
        unknown.set(leaseId, [...(unknown.get(leaseId) ?? []), test.name]);
        continue;
      }
      add(leaseId, test, mergeCallStats(...calls));
    }
  }
  for (const [leaseId, names] of unknown) {
    warnings.push(
      `lease ${leaseId} is used by ${names.length} test(s) (first: "${names[0]}") but has no ` +
        "lease-requested event in the spool; their calls are left out",
    );
  }
  return { byLease, leaseOf };
}

function describeLease(
  requested: LeaseRequestedEvent,
  history: LeaseHistory,
  tests: LeaseTest[],
  runEnd: number,
): LeaseUsage {
  const { acquired, released, failed } = history;
  const neverAcquired = failed !== undefined && acquired === undefined;
  const acquiredMs = acquired && timeOf(acquired.at);
  const waitEnd = acquiredMs ?? (failed && timeOf(failed.at)) ?? (released && timeOf(released.at)) ?? runEnd;
  const errors: string[] = [];
  if (failed) errors.push(`acquiring failed: ${failed.error}`);
  if (released?.error !== undefined) errors.push(`releasing failed: ${released.error}`);

  const unreleased = !released && !neverAcquired;
  // Built in the documented field order, which is the order readers see in lease-usage.json.
  return {
    id: requested.leaseId,
    kind: requested.kind,
    exporter: acquired?.exporter ?? requested.exporter ?? failed?.exporter ?? null,
    ...(requested.selector !== undefined && { selector: requested.selector }),
    holder: requested.holder,
    scope: requested.scope,
    ...(requested.file !== undefined && { file: requested.file }),
    ...(requested.context !== undefined && { context: requested.context }),
    requestedAt: requested.at,
    ...(acquired && { acquiredAt: acquired.at }),
    ...(released && { releasedAt: released.at }),
    ...(neverAcquired && { failedAt: failed.at }),
    ...(unreleased && { releasedAt: null, unreleased: true as const }),
    waitMs: span(timeOf(requested.at), waitEnd),
    heldMs: acquiredMs === undefined ? 0 : span(acquiredMs, released ? timeOf(released.at) : runEnd),
    tests,
    calls: released?.calls ?? mergeCallStats(...tests.map((t) => t.calls)),
    errors,
  };
}

/** The held interval of a lease on the run's clock, or undefined when it was never acquired. */
export function heldInterval(lease: LeaseUsage, runEnd: number): { from: number; to: number } | undefined {
  if (lease.acquiredAt === undefined) return undefined;
  const to = typeof lease.releasedAt === "string" ? timeOf(lease.releasedAt) : runEnd;
  return { from: timeOf(lease.acquiredAt), to };
}

function totalsOf(
  leases: readonly LeaseUsage[],
  { tests, fileFailures = [] }: LeaseUsageInput,
  listed: ReadonlySet<TestUsageRecord>,
  runStart: number,
  runEnd: number,
): LeaseUsageTotals {
  const leaseTests = tests.filter((t) => listed.has(t));
  const count = (outcome: TestOutcome) => tests.filter((t) => t.outcome === outcome).length;
  const calls = totalCalls(mergeCallStats(...leases.map((l) => l.calls)));
  return {
    leases: leases.length,
    failed: leases.filter((l) => l.failedAt !== undefined).length,
    unreleased: leases.filter((l) => l.unreleased).length,
    waitMs: leases.reduce((sum, l) => sum + l.waitMs, 0),
    heldMs: leases.reduce((sum, l) => sum + l.heldMs, 0),
    tests: {
      passed: leaseTests.filter((t) => t.outcome === "passed").length,
      failed: leaseTests.filter((t) => t.outcome === "failed").length,
      skipped: leaseTests.filter((t) => t.outcome === "skipped").length,
    },
    calls: calls.calls,
    callErrors: calls.errors,
    exporters: exporterUsage(leases, runStart, runEnd),
    run: {
      passed: count("passed"),
      failed: count("failed"),
      skipped: count("skipped"),
      filesFailedToLoad: fileFailures.length,
    },
  };
}

function exporterUsage(leases: readonly LeaseUsage[], runStart: number, runEnd: number): ExporterUsage[] {
  const byName = new Map<string, LeaseUsage[]>();
  for (const lease of leases) {
    const name = lease.exporter?.name ?? "";
    byName.set(name, [...(byName.get(name) ?? []), lease]);
  }
  const runMs = runEnd - runStart;
  return [...byName].map(([name, group]) => {
    const busyMs = unionLength(group.flatMap((l) => heldInterval(l, runEnd) ?? []));
    return {
      name,
      leases: group.length,
      heldMs: group.reduce((sum, l) => sum + l.heldMs, 0),
      busyMs,
      busyRatio: runMs > 0 ? Math.min(1, Math.round((busyMs / runMs) * 10_000) / 10_000) : 0,
    };
  });
}

/** Total length covered by possibly overlapping intervals. */
function unionLength(intervals: { from: number; to: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  let total = 0;
  let coveredTo = Number.NEGATIVE_INFINITY;
  for (const { from, to } of sorted) {
    const start = Math.max(from, coveredTo);
    if (to > start) total += to - start;
    coveredTo = Math.max(coveredTo, to);
  }
  return Math.round(total);
}
