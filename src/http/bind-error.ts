import { type BindFailureKind, describeBindFailure } from "../net/bind-failure.ts";
import { HttpServerError } from "./errors.ts";

const codes = {
  "address-in-use": "ERR_HTTP_ADDRESS_IN_USE",
  "port-privileged": "ERR_HTTP_PORT_PRIVILEGED",
  "address-not-available": "ERR_HTTP_ADDRESS_NOT_AVAILABLE",
  "bind-failed": "ERR_HTTP_BIND_FAILED",
} as const satisfies Record<BindFailureKind, string>;

/** What start() rejects with when the listening socket cannot bind: the cause and a way out. */
export function bindErrorFor(error: unknown, host: string, port: number): HttpServerError {
  const failure = describeBindFailure(error, {
    transport: "TCP",
    host,
    port,
    likelyHolder: "by another program",
  });
  return new HttpServerError(codes[failure.kind], failure.message, { cause: error });
}
