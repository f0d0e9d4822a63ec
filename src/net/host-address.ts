/** Which address of this host a board can reach, read from the interface list; nothing is sent. */
import { networkInterfaces } from "node:os";

/**
 * This host's address as boards see it: the first non-loopback IPv4 address of an interface
 * that is up, else 127.0.0.1.
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
