/** Builders for lease events and test records on a fixed clock, for the usage tests. */
import type {
  CallStats,
  LeaseAcquiredEvent,
  LeaseFailedEvent,
  LeaseReleasedEvent,
  LeaseRequestedEvent,
} from "../events.ts";
import type { TestUsageRecord } from "../report.ts";

export const runStartMs = Date.parse("2025-03-01T10:00:00.000Z");

/** The ISO time `ms` milliseconds into the run. */
export const at = (ms: number): string => new Date(runStartMs + ms).toISOString();

export function requested(
  leaseId: string,
  ms: number,
  extra: Partial<LeaseRequestedEvent> = {},
): LeaseRequestedEvent {
  return {
    type: "lease-requested",
    leaseId,
    at: at(ms),
    kind: "local",
    runner: "vitest",
    holder: "ci@lab-host",
    scope: "file",
    ...extra,
  };
}

export function acquired(
  leaseId: string,
  ms: number,
  exporter = "board-a",
  labels: Record<string, string> = { board: "rpi4" },
): LeaseAcquiredEvent {
  return { type: "lease-acquired", leaseId, at: at(ms), exporter: { name: exporter, labels } };
}

export function released(
  leaseId: string,
  ms: number,
  calls: CallStats = {},
  error?: string,
): LeaseReleasedEvent {
  return { type: "lease-released", leaseId, at: at(ms), calls, ...(error === undefined ? {} : { error }) };
}

export function failed(leaseId: string, ms: number, error: string): LeaseFailedEvent {
  return { type: "lease-failed", leaseId, at: at(ms), error };
}

export function testRecord(
  name: string,
  outcome: TestUsageRecord["outcome"],
  leases: TestUsageRecord["leases"],
  durationMs = 100,
): TestUsageRecord {
  return { id: `id-${name}`, name, file: "tests/board.test.ts", outcome, durationMs, leases };
}

/** `{ [path]: { [method]: { calls, errors } } }` from `"path.method": calls` pairs, without errors. */
export function calls(counts: Record<string, number>): CallStats {
  const stats: CallStats = {};
  for (const [key, count] of Object.entries(counts)) {
    const dot = key.lastIndexOf(".");
    const path = key.slice(0, Math.max(dot, 0));
    const method = key.slice(dot + 1);
    stats[path] = { ...stats[path], [method]: { calls: count, errors: 0 } };
  }
  return stats;
}
