/**
 * Driver errors as they cross a transport: a gRPC status, a message, and dutkit's own code and
 * fields beside them. A code→class registry rebuilds the same class with the same fields on the
 * far side, in-process and over gRPC alike. A peer that sends no code (Jumpstarter's Python
 * exporter) gets the class of the status, as before; a code this side does not know (a newer
 * peer's) keeps its string on the class of the status. The status classes need no entry: they
 * are what a code without one becomes.
 */
import type { ErrorCode } from "./error-codes.ts";
import { type DriverError, driverErrorForStatus } from "./errors.ts";
import type { JsonValue } from "./value.ts";

/** The structured fields of an error, as JSON (`UbootCommandError`: command, exitCode, output). */
export type ErrorFields = { [field: string]: JsonValue };

/** Trailing-metadata keys of a failed call's status; `-bin` because the fields are UTF-8 JSON. */
export const ERROR_CODE_METADATA_KEY = "dutkit-error-code";
export const ERROR_FIELDS_METADATA_KEY = "dutkit-error-fields-bin";

/** What a failed call carries: the status and message every peer reads, then dutkit's code and fields. */
export interface WireError {
  status: number;
  message: string;
  code?: string | undefined;
  fields?: ErrorFields | undefined;
}

interface DriverErrorType {
  /** A new instance from the fields; undefined when they do not fit (the status class is used). */
  rebuild(fields: ErrorFields): DriverError | undefined;
  fieldsOf(error: DriverError): ErrorFields | undefined;
}

const types = new Map<string, DriverErrorType>();

/**
 * Registers the class a code is rebuilt as. `rebuild` makes an instance from the fields (the
 * message is set afterwards, as sent); `fieldsOf` lists the fields that travel, for a class that
 * has any. Register where the class is defined, so whoever can receive it has registered it.
 */
export function registerDriverError<E extends DriverError>(
  code: ErrorCode,
  rebuild: (fields: ErrorFields) => E | undefined,
  fieldsOf?: (error: E) => ErrorFields,
): void {
  types.set(code, {
    rebuild,
    fieldsOf: (error) => (fieldsOf ? fieldsOf(error as E) : undefined),
  });
}

/** The codes the registry rebuilds. */
export function registeredDriverErrorCodes(): string[] {
  return [...types.keys()];
}

/** A driver error as it goes on the wire. */
export function wireErrorOf(error: DriverError): WireError {
  return {
    status: error.grpcCode,
    message: error.message,
    code: error.code,
    fields: types.get(error.code)?.fieldsOf(error),
  };
}

/** The typed error for what arrived: the registered class of the code, else the class of the status. */
export function driverErrorFromWire(wire: WireError, cause?: unknown): DriverError {
  let error: DriverError | undefined;
  const type = wire.code === undefined ? undefined : types.get(wire.code);
  if (type) {
    try {
      error = type.rebuild(wire.fields ?? {});
    } catch {
      error = undefined;
    }
    if (error?.grpcCode !== wire.status) error = undefined;
  }
  if (!error) {
    error = driverErrorForStatus(wire.status, wire.message);
    // A code from a newer peer: kept as sent, though this side's catalogue does not list it.
    if (wire.code !== undefined && wire.code !== error.code) (error as { code: string }).code = wire.code;
  }
  error.message = wire.message;
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
}

/** The same error class with the same code and fields, with another message and a cause. */
export function rebuildDriverError(error: DriverError, message: string, cause: unknown): DriverError {
  return driverErrorFromWire({ ...wireErrorOf(error), message }, cause);
}
