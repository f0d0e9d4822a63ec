import { resolve } from "node:path";
import { DutkitError } from "../core/errors.ts";

/** Where an exporter session listens: a unix socket or a TCP host and port. */
export type SessionAddress = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

const hostPort = /^(.+):(\d{1,5})$/;

/**
 * Parses a `JUMPSTARTER_HOST`-style value (spec 2.10): `host:port` with a port in range is TCP,
 * anything else is a unix socket path. A `unix:` prefix forces a path. Listeners may use port 0
 * (`allowPortZero`) to let the system pick one.
 */
export function parseSessionAddress(
  value: string,
  options: { allowPortZero?: boolean } = {},
): SessionAddress {
  if (value.trim() === "") {
    throw new DutkitError(
      "ERR_DUTKIT_ADDRESS",
      "the exporter address is empty; give a unix socket path or host:port",
    );
  }
  if (value.startsWith("unix:")) {
    const path = value.slice("unix:".length).replace(/^\/\/(?=\/)/, "");
    return { kind: "unix", path: resolve(path) };
  }
  const match = hostPort.exec(value);
  if (match) {
    const port = Number(match[2]);
    const lowest = options.allowPortZero ? 0 : 1;
    if (port >= lowest && port <= 65535) return { kind: "tcp", host: match[1]!, port };
  }
  return { kind: "unix", path: resolve(value) };
}

/** The address in `JUMPSTARTER_HOST` form: a socket path or `host:port`. */
export function formatSessionAddress(address: SessionAddress): string {
  return address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
}

/** The address as a grpc-js target or bind address. */
export function grpcTarget(address: SessionAddress): string {
  return address.kind === "unix" ? `unix:${address.path}` : `${address.host}:${address.port}`;
}
