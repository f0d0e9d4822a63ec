import { CodedError } from "../core/coded-error.ts";
import type { ErrorCode } from "../core/error-codes.ts";

/** Errors of the HTTP file server itself (binding, lifecycle), each with a stable `code`. */
export class HttpServerError extends CodedError<Extract<ErrorCode, `ERR_HTTP_${string}`>> {}
