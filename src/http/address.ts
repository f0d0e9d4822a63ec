/** Which address a boot-file server announces, and URLs with it. */
import { isIPv6 } from "node:net";
import { networkInterfaces } from "node:os";

/**
 * This host's address as boards see it: the first non-loopback IPv4 address of an interface
 * that is up, else 127.0.0.1. Read from the interface list; nothing is sent.
 */
export function detectHostAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4" && !address.internal) return address.address;
    }
  }
  return "127.0.0.1";
}

/** True for the "any address" forms, which a client cannot connect to. */
export function isWildcardHost(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** `http://host:port` with an IPv6 host in brackets; a wildcard host becomes this host's address. */
export function httpUrl(host: string, port: number): string {
  const shown = isWildcardHost(host) ? detectHostAddress() : host;
  return `http://${isIPv6(shown) ? `[${shown}]` : shown}:${port}`;
}
