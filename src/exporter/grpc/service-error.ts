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
  const room = TRAILER_BUDGET_BYTES - Buffer.byteLength(wire.message);
  const fields = wire.fields && fieldsWithin(wire.fields, Math.floor(room / 4) * 3);
  if (fields) metadata.set(ERROR_FIELDS_METADATA_KEY, fields);
  return { code: wire.status, details: wire.message, metadata };
}

/** Long text kept when a field is cut, and how often cutting is tried before the fields stay home. */
const MIN_KEPT_CHARS = 256;
const MAX_CUTS = 16;

/**
 * The fields as UTF-8 JSON within `limit` bytes. Too long, the longest text field is cut to its
 * tail (a console's last lines say most), marked with how much went, until they fit; undefined
 * when even that does not make them fit.
 */
function fieldsWithin(fields: ErrorFields, limit: number): Buffer | undefined {
  const kept = new Map<string, number>();
  for (let cut = 0; cut <= MAX_CUTS; cut++) {
    const current: ErrorFields = { ...fields };
    for (const [name, keep] of kept) {
      const text = fields[name] as string;
      current[name] = `[${text.length - keep} characters cut]${text.slice(-keep)}`;
    }
    const bytes = Buffer.from(JSON.stringify(current), "utf8");
    if (bytes.length <= limit) return bytes;
    const longest = Object.keys(fields)
      .filter((name) => typeof fields[name] === "string")
      .map((name) => [name, kept.get(name) ?? (fields[name] as string).length] as const)
      .sort((a, b) => b[1] - a[1])[0];
    if (!longest || longest[1] <= MIN_KEPT_CHARS) return undefined;
    kept.set(longest[0], Math.max(MIN_KEPT_CHARS, Math.floor(longest[1] / 2)));
  }
  return undefined;
}
