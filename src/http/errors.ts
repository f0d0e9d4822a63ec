import { CodedError } from "../core/coded-error.ts";
import type { ErrorCode } from "../core/error-codes.ts";

/** Errors of the HTTP file server itself (binding, lifecycle), each with a stable `code`. */
export class HttpServerError extends CodedError<Extract<ErrorCode, `ERR_HTTP_${string}`>> {}

/** What start() rejects with when the listening socket cannot bind: the cause and a way out. */
export function bindErrorFor(error: unknown, host: string, port: number): HttpServerError {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `TCP ${host} port ${port}`;
  if (code === "EADDRINUSE") {
    return new HttpServerError(
      "ERR_HTTP_ADDRESS_IN_USE",
      `${where} is already in use by another program: stop it, or choose another port (port 0 picks a free one)`,
      { cause: error },
    );
  }
  if (code === "EACCES" || code === "EPERM") {
    return new HttpServerError(
      "ERR_HTTP_PORT_PRIVILEGED",
      `Binding ${where} needs privilege: run as root, grant it with \`sudo setcap cap_net_bind_service=+ep $(which node)\`, or use a port >= 1024`,
      { cause: error },
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new HttpServerError(
      "ERR_HTTP_ADDRESS_NOT_AVAILABLE",
      `Cannot listen on ${host}: it is not an address of this machine; use one of its addresses, 0.0.0.0 or ::`,
      { cause: error },
    );
  }
  return new HttpServerError("ERR_HTTP_BIND_FAILED", `Cannot listen on ${where}: ${String(code ?? error)}`, {
    cause: error,
  });
}
