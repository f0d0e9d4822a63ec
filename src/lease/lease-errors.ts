import { DutkitError, type ErrorCode } from "../core/errors.ts";
import type { MatchingExporter } from "./lease-holders.ts";

/** Leasing failed: unsatisfiable, invalid, ended, timed out, or not ours. */
export class LeaseError extends DutkitError {
  constructor(message: string, options?: ErrorOptions, code: ErrorCode = "ERR_DUTKIT_LEASE") {
    super(code, message, options);
  }
}

/** No exporter became free within the lease wait; the waiting lease was deleted. */
export class LeaseWaitTimeoutError extends LeaseError {
  constructor(
    message: string,
    readonly leaseId: string,
    readonly exporters: MatchingExporter[],
  ) {
    super(message, undefined, "ERR_DUTKIT_LEASE_WAIT_TIMEOUT");
  }
}

/** The wait for a lease was stopped (test timeout, end of the file, Ctrl-C); the waiting lease was deleted. */
export class LeaseWaitAbortedError extends LeaseError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options, "ERR_DUTKIT_LEASE_WAIT_ABORTED");
  }
}
