/**
 * The lease-usage data channel: what fixtures tell reporters about leases. Lease lifecycle events
 * travel through the spool (see spool.ts); what each test did with its leases travels with the test
 * (vitest task meta, Playwright attachment). The zod schemas double as the readers' validators.
 */
import { hostname, userInfo } from "node:os";
import { z } from "zod";

/** The env var naming the spool directory; set by a reporter, inherited by test workers. */
export const USAGE_SPOOL_ENV = "DUTKIT_USAGE_SPOOL";
/** The key under vitest's `task.meta` that carries a test's lease use. */
export const LEASE_USAGE_META_KEY = "dutkit";
/** The name of the Playwright attachment that carries a test's lease use. */
export const LEASE_USAGE_ATTACHMENT = "dutkit-lease-usage";
export const LEASE_USAGE_CONTENT_TYPE = "application/json";
/**
 * A test's console transcript (text/plain, one per console the test used): the vitest artifact
 * `type`, and the Playwright attachment name prefix (`dutkit:console-transcript:<console>`).
 */
export const CONSOLE_TRANSCRIPT_ARTIFACT = "dutkit:console-transcript";

const isoTime = z.iso.datetime({ offset: true });

export const methodCallStatsSchema = z.object({
  calls: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  lastError: z.string().optional(),
});
/**
 * Driver calls by driver path (`power`, `board.serial`; "" is the root driver) and method name.
 * `errors` counts the calls that threw; `lastError` is the message of the latest of them.
 */
export const callStatsSchema = z.record(z.string(), z.record(z.string(), methodCallStatsSchema));
export type MethodCallStats = z.infer<typeof methodCallStatsSchema>;
export type CallStats = z.infer<typeof callStatsSchema>;

export const exporterRefSchema = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
});
export type ExporterRef = z.infer<typeof exporterRefSchema>;

export const leaseKindSchema = z.enum(["local", "remote"]);
export const runnerSchema = z.enum(["vitest", "playwright"]);
/** How long the fixture keeps the lease: one test file, the whole run, one worker, one block. */
export const leaseScopeSchema = z.enum(["file", "run", "worker", "block"]);
export type LeaseKind = z.infer<typeof leaseKindSchema>;
export type Runner = z.infer<typeof runnerSchema>;
export type LeaseScope = z.infer<typeof leaseScopeSchema>;

export const leaseRequestedEventSchema = z.object({
  type: z.literal("lease-requested"),
  leaseId: z.string().min(1),
  at: isoTime,
  kind: leaseKindSchema,
  runner: runnerSchema,
  /** `user@host`; see `leaseHolder()`. */
  holder: z.string(),
  /** Known up front for local leases; remote leases learn it on acquisition. */
  exporter: exporterRefSchema.optional(),
  /** The label selector of a remote lease, in Kubernetes selector syntax. */
  selector: z.string().optional(),
  scope: leaseScopeSchema,
  /** Free-form correlation data such as a CI build id (Jumpstarter's lease `context`). */
  context: z.record(z.string(), z.string()).optional(),
  /** The test file that asked for the board; absent for a board held by global setup. */
  file: z.string().optional(),
});
export const leaseAcquiredEventSchema = z.object({
  type: z.literal("lease-acquired"),
  leaseId: z.string().min(1),
  at: isoTime,
  exporter: exporterRefSchema,
});
export const leaseReleasedEventSchema = z.object({
  type: z.literal("lease-released"),
  leaseId: z.string().min(1),
  at: isoTime,
  /** Every driver call made through the lease, over its whole life. */
  calls: callStatsSchema,
  /** Set when releasing failed; the lease counts as released all the same. */
  error: z.string().optional(),
});
export const leaseFailedEventSchema = z.object({
  type: z.literal("lease-failed"),
  leaseId: z.string().min(1),
  at: isoTime,
  error: z.string(),
  /** The board, when it was known before acquiring failed (a local config that loaded, then failed to open). */
  exporter: exporterRefSchema.optional(),
});
export const leaseEventSchema = z.discriminatedUnion("type", [
  leaseRequestedEventSchema,
  leaseAcquiredEventSchema,
  leaseReleasedEventSchema,
  leaseFailedEventSchema,
]);
export type LeaseRequestedEvent = z.infer<typeof leaseRequestedEventSchema>;
export type LeaseAcquiredEvent = z.infer<typeof leaseAcquiredEventSchema>;
export type LeaseReleasedEvent = z.infer<typeof leaseReleasedEventSchema>;
export type LeaseFailedEvent = z.infer<typeof leaseFailedEventSchema>;
export type LeaseEvent = z.infer<typeof leaseEventSchema>;

export const testLeaseUseSchema = z.object({
  leaseId: z.string().min(1),
  /** The driver calls made through this lease during the one test. */
  calls: callStatsSchema,
});
export type TestLeaseUse = z.infer<typeof testLeaseUseSchema>;

/** What a vitest test carries as `task.meta.dutkit`: one entry per lease the test used. */
export const testLeaseUsageSchema = z.object({ leases: z.array(testLeaseUseSchema) });
export type TestLeaseUsage = z.infer<typeof testLeaseUsageSchema>;

/**
 * The body of a Playwright `LEASE_USAGE_ATTACHMENT`: one `TestLeaseUse` per attachment (a test
 * that used several leases has several attachments). Readers also accept an array of them or a
 * `TestLeaseUsage` object.
 */
export const leaseUsageAttachmentSchema = z.union([
  testLeaseUseSchema.transform((use) => [use]),
  z.array(testLeaseUseSchema),
  testLeaseUsageSchema.transform((usage) => usage.leases),
]);

/** The options for `testInfo.attach(LEASE_USAGE_ATTACHMENT, ...)` carrying one lease's use by a test. */
export function leaseUsageAttachment(use: TestLeaseUse): { body: string; contentType: string } {
  return { body: JSON.stringify(use), contentType: LEASE_USAGE_CONTENT_TYPE };
}

/** Who holds a lease: `user@host` of this process. */
export function leaseHolder(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // userInfo() throws when the uid has no passwd entry, as in many containers.
    user = process.env.USER ?? process.env.USERNAME ?? `uid${process.getuid?.() ?? "?"}`;
  }
  return `${user}@${hostname()}`;
}
