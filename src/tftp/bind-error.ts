/** What start() rejects with when the listening socket cannot bind: a cause and a way out. */
import { TftpServerError } from "./errors.ts";

export function bindErrorFor(error: unknown, host: string, port: number): TftpServerError {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `UDP ${host} port ${port}`;
  if (code === "EADDRINUSE") {
    return new TftpServerError(
      "ERR_TFTP_ADDRESS_IN_USE",
      `${where} is already in use (another TFTP server such as tftpd-hpa?): stop it, or choose another port (port 0 picks a free one)`,
      { cause: error },
    );
  }
  if (code === "EACCES" || code === "EPERM") {
    return new TftpServerError(
      "ERR_TFTP_PORT_PRIVILEGED",
      `Binding ${where} needs privilege: run as root, or grant it with \`sudo setcap cap_net_bind_service=+ep $(which node)\`, or use a port >= 1024`,
      { cause: error },
    );
  }
  if (code === "EADDRNOTAVAIL") {
    return new TftpServerError(
      "ERR_TFTP_ADDRESS_NOT_AVAILABLE",
      `Cannot listen on ${host}: it is not an address of this machine; use one of its addresses, 0.0.0.0 or ::`,
      { cause: error },
    );
  }
  return new TftpServerError("ERR_TFTP_BIND_FAILED", `Cannot listen on ${where}: ${String(code ?? error)}`, {
    cause: error,
  });
}
