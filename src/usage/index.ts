/**
 * Lease-usage recording. Fixtures call `recordLeaseEvent` and attach per-test `TestLeaseUse`s;
 * the reporters in reporters/ turn them into `lease-usage-<runner>.json` and `.html`, a run history
 * and a console summary. For vitest's `task.meta.dutkit` typing, import `./vitest-meta.ts` as well.
 */
export { mergeCallStats, totalCalls } from "./call-stats.ts";
export { CONSOLES_DIR, type ConsoleTranscript } from "./consoles.ts";
export {
  type CallStats,
  CONSOLE_TRANSCRIPT_ARTIFACT,
  type ExporterRef,
  LEASE_USAGE_ATTACHMENT,
  LEASE_USAGE_CONTENT_TYPE,
  LEASE_USAGE_META_KEY,
  type LeaseAcquiredEvent,
  type LeaseEvent,
  type LeaseFailedEvent,
  type LeaseKind,
  type LeaseReleasedEvent,
  type LeaseRequestedEvent,
  type LeaseScope,
  leaseEventSchema,
  leaseHolder,
  leaseUsageAttachment,
  type MethodCallStats,
  type Runner,
  type TestLeaseUsage,
  type TestLeaseUse,
  USAGE_SPOOL_ENV,
} from "./events.ts";
export {
  type HistoryEntry,
  historyEntrySchema,
  LEASE_USAGE_HISTORY_FILE,
} from "./history.ts";
export { renderLeaseUsageHtml } from "./html.ts";
export { buildLeaseUsageReport, type LeaseUsageInput, type TestUsageRecord } from "./report.ts";
export {
  type ConsoleLink,
  type ExporterUsage,
  type Failure,
  LEASE_USAGE_REPORT_SCHEMA,
  LEASE_USAGE_REPORT_VERSION,
  type LeaseTest,
  type LeaseUsage,
  type LeaseUsageReport,
  type LeaseUsageTotals,
  leaseUsageReportSchema,
  type TestOutcome,
} from "./report-schema.ts";
export { readLeaseEvents, recordLeaseEvent, type SpoolContents } from "./spool.ts";
export { formatLeaseUsageSummary } from "./summary.ts";
export { type LeaseUsageReporterOptions, ReporterOptionsError } from "./usage-run.ts";
export { leaseUsageFileNames, ReportWriteError, writeLeaseUsageFiles } from "./write.ts";
