/**
 * The lease-usage report (`lease-usage.json`), version 1. Described for users in
 * reporters/README.md; keep the two in step. Additive changes (new optional fields, new fields
 * consumers may ignore) keep version 1; renaming, removing or changing the meaning of a field
 * needs version 2. The schema strips unknown keys, so an older reader accepts a newer version-1 file.
 */
import { z } from "zod";
import {
  callStatsSchema,
  exporterRefSchema,
  leaseKindSchema,
  leaseScopeSchema,
  runnerSchema,
} from "./events.ts";

export const LEASE_USAGE_REPORT_SCHEMA = "dutkit.lease-usage";
export const LEASE_USAGE_REPORT_VERSION = 1;

const isoTime = z.iso.datetime({ offset: true });
const milliseconds = z.number().int().nonnegative();

export const testOutcomeSchema = z.enum(["passed", "failed", "skipped"]);
export type TestOutcome = z.infer<typeof testOutcomeSchema>;

/** A link to one console transcript of a test: a text file written next to the report. */
export const consoleLinkSchema = z.object({
  /** The console's name, such as the driver path `serial`. */
  name: z.string(),
  /** Relative to the report's directory, `/`-separated: `consoles/0001-boots-serial.txt`. */
  file: z.string(),
});

export const leaseTestSchema = z.object({
  /** The runner's test id; a retried Playwright test appears once per attempt. */
  id: z.string(),
  name: z.string(),
  file: z.string(),
  outcome: testOutcomeSchema,
  durationMs: milliseconds,
  /** The calls this test made through this lease. */
  calls: callStatsSchema,
  /** The test's console transcripts; absent when it recorded none. Added in version 1 (additive). */
  consoles: z.array(consoleLinkSchema).optional(),
  /** The runner's files for the test, such as a Playwright `trace`; `file` is relative as in `consoles`. */
  artifacts: z.array(consoleLinkSchema).optional(),
  /** The first error's message, for a failed test. */
  error: z.string().optional(),
});

/** A failed test, or a test file that failed to load (no `test` then). */
export const failureSchema = z.object({
  test: z.string().optional(),
  file: z.string(),
  message: z.string(),
  /** The lease the test used, or the lease its file could not get. */
  leaseId: z.string().optional(),
});

export const leaseUsageSchema = z.object({
  id: z.string(),
  kind: leaseKindSchema,
  /** null when the lease never got an exporter (a remote lease that failed or never came). */
  exporter: exporterRefSchema.nullable(),
  selector: z.string().optional(),
  holder: z.string(),
  scope: leaseScopeSchema,
  /** The test file that asked for the board; absent for a board held by global setup. */
  file: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
  requestedAt: isoTime,
  /** Absent when the lease was never acquired. */
  acquiredAt: isoTime.optional(),
  /** null when the lease was acquired or waited for but never released (see `unreleased`). */
  releasedAt: isoTime.nullable().optional(),
  /** Set when acquiring the lease failed. */
  failedAt: isoTime.optional(),
  /** true when no release event came (a killed worker); times then run to the end of the run. */
  unreleased: z.literal(true).optional(),
  /** From request to acquisition (or failure, or the end of the run). */
  waitMs: milliseconds,
  /** From acquisition to release (or the end of the run); 0 when never acquired. */
  heldMs: milliseconds,
  tests: z.array(leaseTestSchema),
  /** All calls through the lease: from its release event, else the sum of its tests' calls. */
  calls: callStatsSchema,
  /** Lease-level errors: failure to acquire, failure to release. Call errors are in `calls`. */
  errors: z.array(z.string()),
});

export const exporterUsageSchema = z.object({
  /** "" gathers the leases that never got an exporter. */
  name: z.string(),
  leases: z.number().int().nonnegative(),
  /** Sum of the leases' held times; overlapping leases count twice. */
  heldMs: milliseconds,
  /** Time with at least one lease held. */
  busyMs: milliseconds,
  /** busyMs over the run's duration, 0 to 1. */
  busyRatio: z.number().min(0).max(1),
});

export const leaseUsageTotalsSchema = z.object({
  leases: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  unreleased: z.number().int().nonnegative(),
  waitMs: milliseconds,
  heldMs: milliseconds,
  /** Test results listed under a lease (they used one, or failed while getting one), each counted once. */
  tests: z.object({
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
  }),
  calls: z.number().int().nonnegative(),
  callErrors: z.number().int().nonnegative(),
  exporters: z.array(exporterUsageSchema),
  /** Every test of the run, with a board or without, and the files that failed to load. */
  run: z
    .object({
      passed: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      skipped: z.number().int().nonnegative(),
      filesFailedToLoad: z.number().int().nonnegative(),
    })
    .optional(),
});

export const leaseUsageReportSchema = z.object({
  schema: z.literal(LEASE_USAGE_REPORT_SCHEMA),
  version: z.literal(LEASE_USAGE_REPORT_VERSION),
  generatedAt: isoTime,
  runner: runnerSchema,
  run: z.object({ startedAt: isoTime, endedAt: isoTime, durationMs: milliseconds }),
  leases: z.array(leaseUsageSchema),
  totals: leaseUsageTotalsSchema,
  /** Every failed test and every test file that failed to load, with its message. */
  failures: z.array(failureSchema).default([]),
  /** Problems with the recorded data (bad spool lines, unknown lease ids), for the curious. */
  warnings: z.array(z.string()),
});

export type ConsoleLink = z.infer<typeof consoleLinkSchema>;
export type Failure = z.infer<typeof failureSchema>;
export type LeaseTest = z.infer<typeof leaseTestSchema>;
export type LeaseUsage = z.infer<typeof leaseUsageSchema>;
export type ExporterUsage = z.infer<typeof exporterUsageSchema>;
export type LeaseUsageTotals = z.infer<typeof leaseUsageTotalsSchema>;
export type LeaseUsageReport = z.infer<typeof leaseUsageReportSchema>;
