/**
 * RFC 2347 option negotiation for blksize (RFC 2348), timeout and tsize (RFC 2349) and
 * windowsize (RFC 7440). Pure: the table of what to accept lives here, sockets elsewhere.
 *
 * Rules that real clients depend on:
 * - Only options the client asked for are answered, echoed with the client's spelling.
 * - blksize is never answered larger than asked (U-Boot refuses that); below 8 it is dropped.
 * - A valid timeout is echoed exactly (U-Boot refuses any other value), an invalid one dropped.
 * - tsize in a read request is answered with the real size when it is known and non-zero;
 *   for an empty file or an unknown size (netascii, streams without size) it is left out,
 *   because some clients refuse `tsize 0` in an OACK.
 * - Duplicated options: the first occurrence counts, later ones are ignored.
 * - Unknown options and unparsable values are ignored.
 */
import type { RequestedOption } from "./packet.ts";

export const DEFAULT_BLKSIZE = 512;
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
export const MAX_WINDOWSIZE = 65535;

export interface NegotiationLimits {
  blksizeMax: number;
  windowsizeMax: number;
}

/** The transfer parameters both sides agreed on. */
export interface NegotiatedOptions {
  blksize: number;
  windowsize: number;
  /** Retransmit timeout in seconds when the client negotiated one; otherwise adaptive. */
  timeout?: number;
  /** Size announced in the OACK (read) or by the client (write). */
  tsize?: number;
}

export interface Negotiation {
  options: NegotiatedOptions;
  /** OACK entries in request order; empty means no OACK is sent. */
  oack: [string, string][];
}

function parseDecimal(value: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(value)) return undefined;
  return Number(value);
}

/** Requested options by lower-cased name, first occurrence winning. */
export function firstOccurrences(requested: readonly RequestedOption[]): Map<string, RequestedOption> {
  const byKey = new Map<string, RequestedOption>();
  for (const option of requested) if (!byKey.has(option.key)) byKey.set(option.key, option);
  return byKey;
}

/**
 * Decides the answer to a request's options.
 * @param knownSize size of the data a read will send, when known; ignored for writes.
 */
export function negotiateOptions(
  requested: readonly RequestedOption[],
  kind: "read" | "write",
  limits: NegotiationLimits,
  knownSize: number | undefined,
): Negotiation {
  const options: NegotiatedOptions = { blksize: DEFAULT_BLKSIZE, windowsize: 1 };
  const oack: [string, string][] = [];
  for (const option of firstOccurrences(requested).values()) {
    const value = parseDecimal(option.value);
    if (value === undefined) continue;
    switch (option.key) {
      case "blksize": {
        if (value < MIN_BLKSIZE) break;
        options.blksize = Math.min(value, MAX_BLKSIZE, limits.blksizeMax);
        oack.push([option.name, String(options.blksize)]);
        break;
      }
      case "timeout": {
        if (value < 1 || value > 255) break;
        options.timeout = value;
        oack.push([option.name, option.value]);
        break;
      }
      case "tsize": {
        const size = kind === "write" ? value : knownSize;
        if (size === undefined || (kind === "read" && size === 0)) break;
        options.tsize = size;
        oack.push([option.name, String(size)]);
        break;
      }
      case "windowsize": {
        if (value < 1 || value > MAX_WINDOWSIZE) break;
        options.windowsize = Math.min(value, limits.windowsizeMax);
        oack.push([option.name, String(options.windowsize)]);
        break;
      }
    }
  }
  return { options, oack };
}
