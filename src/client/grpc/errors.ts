import { status as GrpcCode, type ServiceError } from "@grpc/grpc-js";
import { DutkitError, UnavailableError } from "../../core/errors.ts";
import {
  driverErrorFromWire,
  ERROR_CODE_METADATA_KEY,
  ERROR_FIELDS_METADATA_KEY,
  type ErrorFields,
  registerDriverError,
} from "../../core/wire-errors.ts";

/** The exporter could not be reached at all: nothing listens at the address, or it refused us. */
export class ExporterUnreachableError extends UnavailableError {
  override readonly code = "ERR_DUTKIT_EXPORTER_UNREACHABLE";
}
registerDriverError("ERR_DUTKIT_EXPORTER_UNREACHABLE", () => new ExporterUnreachableError(""));

/** The exporter requires a passphrase and the call did not carry the right one. */
export class PassphraseRejectedError extends DutkitError {
  constructor(address: string, details: string, options?: ErrorOptions) {
    super(
      "ERR_DUTKIT_PASSPHRASE",
      `the exporter at ${address} rejected the call (${details}); pass the exporter's passphrase ` +
        "(the passphrase option, or JMP_GRPC_PASSPHRASE)",
      options,
    );
  }
}

/**
 * The error a client sees for a failed call: the class the exporter's code is registered as (the
 * same class, with the same fields, an in-process call throws), else the typed driver error of the
 * status; PassphraseRejectedError for UNAUTHENTICATED.
 */
export function errorFromServiceError(error: ServiceError, address: string): Error {
  if (error.code === GrpcCode.UNAUTHENTICATED) {
    return new PassphraseRejectedError(address, error.details, { cause: error });
  }
  const [code] = error.metadata?.get(ERROR_CODE_METADATA_KEY) ?? [];
  const [fields] = error.metadata?.get(ERROR_FIELDS_METADATA_KEY) ?? [];
  return driverErrorFromWire(
    {
      status: error.code,
      message: error.details,
      code: typeof code === "string" && code !== "" ? code : undefined,
      fields: Buffer.isBuffer(fields) ? parseFields(fields) : undefined,
    },
    error,
  );
}

function parseFields(bytes: Buffer): ErrorFields | undefined {
  try {
    const fields: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof fields === "object" && fields !== null && !Array.isArray(fields)
      ? (fields as ErrorFields)
      : undefined;
  } catch {
    return undefined;
  }
}

export { isServiceError } from "../../protocol/grpc-client.ts";
