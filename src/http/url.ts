import { isIPv6 } from "node:net";
import { detectHostAddress, isWildcardHost } from "../net/host-address.ts";

/** `http://host:port` with an IPv6 host in brackets; a wildcard host becomes this host's address. */
export function httpUrl(host: string, port: number): string {
  const shown = isWildcardHost(host) ? detectHostAddress() : host;
  return `http://${isIPv6(shown) ? `[${shown}]` : shown}:${port}`;
}
