/** What start() rejects with when the listening socket cannot bind: a cause and a way out. */
import { type BindFailureKind, describeBindFailure } from "../net/bind-failure.ts";
import { TftpServerError } from "./errors.ts";

const codes = {
  "address-in-use": "ERR_TFTP_ADDRESS_IN_USE",
  "port-privileged": "ERR_TFTP_PORT_PRIVILEGED",
  "address-not-available": "ERR_TFTP_ADDRESS_NOT_AVAILABLE",
  "bind-failed": "ERR_TFTP_BIND_FAILED",
} as const satisfies Record<BindFailureKind, string>;

export function bindErrorFor(error: unknown, host: string, port: number): TftpServerError {
  const failure = describeBindFailure(error, {
    transport: "UDP",
    host,
    port,
    likelyHolder: "(another TFTP server such as tftpd-hpa?)",
  });
  return new TftpServerError(codes[failure.kind], failure.message, { cause: error });
}
