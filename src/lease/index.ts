/** Leasing boards from a controller: client config, selectors, durations, the lease client. */

export { leaseRemoteBoard, type RemoteBoardLease } from "./board-lease.ts";
export { type ClientConfig, ClientConfigError, configHome, loadClientConfig } from "./client-config.ts";
export { ControllerError } from "./controller-client.ts";
export { DurationError, formatDuration, parseDuration } from "./duration.ts";
export { type HeldLease, LeaseEndedError, type LeaseTransport } from "./held-lease.ts";
export { type AcquireOptions, LeaseClient, LeaseError } from "./lease-client.ts";
export type { LeaseInfo, LeaseState } from "./lease-info.ts";
export { type LabelSelector, matchesSelector, parseSelector, SelectorError } from "./selector.ts";
