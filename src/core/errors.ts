/**
 * Errors with stable codes. Driver errors map one-to-one onto the gRPC statuses that the
 * Jumpstarter protocol uses, so a call fails the same way in-process and over the wire.
 */

import { CodedError } from "./coded-error.ts";
import type { ErrorCode } from "./error-codes.ts";

export type { ErrorCode };
export { CodedError };

/** dutkit's own errors; `code` is one of the catalogue's (`core/error-codes.ts`). */
export class DutkitError extends CodedError<ErrorCode> {}

/** gRPC status numbers used by the Jumpstarter protocol (spec 2.6). */
export const GrpcStatus = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;
export type GrpcStatusName = keyof typeof GrpcStatus;

export abstract class DriverError extends DutkitError {
  abstract readonly status: GrpcStatusName;
  get grpcCode(): number {
    return GrpcStatus[this.status];
  }
}

export class NotFoundError extends DriverError {
  readonly status = "NOT_FOUND";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_NOT_FOUND", message, options);
  }
}
export class NotImplementedError extends DriverError {
  readonly status = "UNIMPLEMENTED";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_NOT_IMPLEMENTED", message, options);
  }
}
export class InvalidArgumentError extends DriverError {
  readonly status = "INVALID_ARGUMENT";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_INVALID_ARGUMENT", message, options);
  }
}
export class DeadlineExceededError extends DriverError {
  readonly status = "DEADLINE_EXCEEDED";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_DEADLINE_EXCEEDED", message, options);
  }
}
export class UnavailableError extends DriverError {
  readonly status = "UNAVAILABLE";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_UNAVAILABLE", message, options);
  }
}
export class InternalError extends DriverError {
  readonly status = "INTERNAL";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_INTERNAL", message, options);
  }
}
export class UnknownError extends DriverError {
  readonly status = "UNKNOWN";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_UNKNOWN", message, options);
  }
}
export class FailedPreconditionError extends DriverError {
  readonly status = "FAILED_PRECONDITION";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_FAILED_PRECONDITION", message, options);
  }
}

const byStatus: Record<GrpcStatusName, new (message: string, options?: ErrorOptions) => DriverError> = {
  NOT_FOUND: NotFoundError,
  UNIMPLEMENTED: NotImplementedError,
  INVALID_ARGUMENT: InvalidArgumentError,
  DEADLINE_EXCEEDED: DeadlineExceededError,
  UNAVAILABLE: UnavailableError,
  INTERNAL: InternalError,
  UNKNOWN: UnknownError,
  FAILED_PRECONDITION: FailedPreconditionError,
};

/** The typed error for a gRPC status name. */
export function driverErrorFor(status: GrpcStatusName, message: string, options?: ErrorOptions): DriverError {
  return new byStatus[status](message, options);
}

/** The typed error for a gRPC status number; numbers the protocol does not use become UnknownError. */
export function driverErrorForStatus(code: number, message: string): DriverError {
  const name = (Object.keys(GrpcStatus) as GrpcStatusName[]).find((k) => GrpcStatus[k] === code) ?? "UNKNOWN";
  return new byStatus[name](message);
}

const unavailableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTCONN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Which status an error thrown by a driver becomes on the wire, following the exporter-side
 * mapping of the reference implementation (spec 2.6), translated to Node's error shapes.
 */
export function statusOfThrown(error: unknown): GrpcStatusName {
  if (error instanceof DriverError) return error.status;
  if (error instanceof TypeError || error instanceof RangeError) return "INVALID_ARGUMENT";
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    if (code === "ETIMEDOUT" || code === "ABORT_ERR") return "DEADLINE_EXCEEDED";
    if (unavailableCodes.has(code)) return "UNAVAILABLE";
    if (/^E[A-Z]+$/.test(code)) return "INTERNAL";
  }
  if ((error as { name?: unknown } | null)?.name === "TimeoutError") return "DEADLINE_EXCEEDED";
  return "UNKNOWN";
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Thrown when closing several drivers failed; `errors` holds each failure with its driver path. */
export class CloseError extends DutkitError {
  readonly errors: { path: string; error: unknown }[];
  constructor(errors: { path: string; error: unknown }[]) {
    const lines = errors.map((e) => `  ${e.path}: ${messageOf(e.error)}`).join("\n");
    super("ERR_DUTKIT_CLOSE", `${errors.length} driver(s) failed to close:\n${lines}`);
    this.errors = errors;
  }
}
