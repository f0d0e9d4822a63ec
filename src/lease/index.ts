/** Leasing boards from a controller: client config, selectors, durations, the lease client. */

export { ControllerError } from "../protocol/controller-client.ts";
export { DurationError, formatDuration, parseDuration } from "../protocol/duration.ts";
export { type LabelSelector, matchesSelector, parseSelector, SelectorError } from "../protocol/selector.ts";
export { type ClientConfig, ClientConfigError, configHome, loadClientConfig } from "./client-config.ts";
export { type HeldLease, LeaseEndedError, type LeaseTransport } from "./held-lease.ts";
export { type LeaseAcquireOptions, LeaseClient } from "./lease-client.ts";
export { LeaseError, LeaseWaitAbortedError, LeaseWaitTimeoutError } from "./lease-errors.ts";
export type { MatchingExporter } from "./lease-holders.ts";
export type { LeaseInfo, LeaseState } from "./lease-info.ts";
