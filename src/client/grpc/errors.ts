import { status as GrpcCode, type ServiceError } from "@grpc/grpc-js";
import { DutkitError, driverErrorForStatus, UnavailableError } from "../../core/errors.ts";

/** The exporter could not be reached at all: nothing listens at the address, or it refused us. */
export class ExporterUnreachableError extends UnavailableError {
  override readonly code = "ERR_DUTKIT_EXPORTER_UNREACHABLE";
}

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
 * The error a client sees for a failed call: the typed driver error of the status (the same class an
 * in-process call throws), or PassphraseRejectedError for UNAUTHENTICATED.
 */
export function errorFromServiceError(error: ServiceError, address: string): Error {
  if (error.code === GrpcCode.UNAUTHENTICATED) {
    return new PassphraseRejectedError(address, error.details, { cause: error });
  }
  const typed = driverErrorForStatus(error.code, error.details);
  (typed as { cause?: unknown }).cause = error;
  return typed;
}

export { isServiceError } from "../../protocol/grpc-client.ts";
