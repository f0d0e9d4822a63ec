/**
 * Why a listening socket could not bind, as advice a user can act on. Each server wraps the
 * result in its own coded error (TftpServerError, HttpServerError), keeping its own codes.
 */

export type BindFailureKind = "address-in-use" | "port-privileged" | "address-not-available" | "bind-failed";

export interface BindTarget {
  transport: "UDP" | "TCP";
  host: string;
  port: number;
  /** Who likely holds a taken port, as the in-use message says it: "by another program". */
  likelyHolder: string;
}

export interface BindFailure {
  kind: BindFailureKind;
  message: string;
}

export function describeBindFailure(error: unknown, target: BindTarget): BindFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const { host } = target;
  const where = `${target.transport} ${host} port ${target.port}`;
  if (code === "EADDRINUSE") {
    return {
      kind: "address-in-use",
      message: `${where} is already in use ${target.likelyHolder}: stop it, or choose another port (port 0 picks a free one)`,
    };
  }
  if (code === "EACCES" || code === "EPERM") {
    return {
      kind: "port-privileged",
      message: `Binding ${where} needs privilege: run as root, or grant it with \`sudo setcap cap_net_bind_service=+ep $(which node)\`, or use a port >= 1024`,
    };
  }
  // A host name that does not resolve (ENOTFOUND, EAI_AGAIN) is as unusable as a foreign address.
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return {
      kind: "address-not-available",
      message: `Cannot listen on ${host}: it is not an address of this machine; use one of its addresses, 0.0.0.0 or ::`,
    };
  }
  return { kind: "bind-failed", message: `Cannot listen on ${where}: ${String(code ?? error)}` };
}
