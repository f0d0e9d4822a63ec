import { status as GrpcCode, Metadata } from "@grpc/grpc-js";
import { DriverError, messageOf } from "../../core/errors.ts";
import {
  ERROR_CODE_METADATA_KEY,
  ERROR_FIELDS_METADATA_KEY,
  type ErrorFields,
  wireErrorOf,
} from "../../core/wire-errors.ts";

export interface ServiceStatus {
  code: number;
  details: string;
  metadata?: Metadata;
}

/**
 * The fields travel in the trailers beside the message (which usually repeats them), base64 on
 * the wire. gRPC's C core (Jumpstarter's Python client) refuses trailers over 8 KiB by default:
 * fields that would take the trailers past this budget stay home, and dutkit's client gets the
 * code on the class of the status instead.
 */
const TRAILER_BUDGET_BYTES = 6 * 1024;

/**
 * The gRPC status for an error thrown while serving a call: a typed driver error keeps its status,
 * anything else is UNKNOWN. The message travels as the status details, exactly as Jumpstarter's
 * clients read it; a driver error's code and fields go beside it in the trailing metadata, for
 * dutkit's client to rebuild the same class.
 */
export function serviceStatusOf(error: unknown): ServiceStatus {
  if (!(error instanceof DriverError)) return { code: GrpcCode.UNKNOWN, details: messageOf(error) };
  const wire = wireErrorOf(error);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, error.code);
  const fields = fieldsBytes(wire.fields);
  if (fields && Math.ceil(fields.length / 3) * 4 + Buffer.byteLength(wire.message) <= TRAILER_BUDGET_BYTES) {
    metadata.set(ERROR_FIELDS_METADATA_KEY, fields);
  }
  return { code: wire.status, details: wire.message, metadata };
}

function fieldsBytes(fields: ErrorFields | undefined): Buffer | undefined {
  return fields === undefined ? undefined : Buffer.from(JSON.stringify(fields), "utf8");
}
