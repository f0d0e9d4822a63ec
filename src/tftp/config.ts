/** Server options: the public shape, defaults and validation. */
import { resolve } from "node:path";
import { TftpServerError } from "./errors.ts";
import { loadNativeReadLoop } from "./native.ts";
import { MAX_BLKSIZE, MAX_WINDOWSIZE, MIN_BLKSIZE } from "./options.ts";

/** Who sent a request. */
export interface TftpClient {
  address: string;
  port: number;
  family: "IPv4" | "IPv6";
}

export interface ReadRequestContext {
  /** Requested name, normalised: relative, `/`-separated, no `.` or `..` segments. */
  filename: string;
  client: TftpClient;
  /** "octet" or "netascii". */
  mode: string;
  /** Requested options by lower-cased name, as the client sent them. */
  options: Record<string, string>;
}

/** A stream answering a read request; without `size`, no tsize is offered. */
export interface ReadStreamContent {
  stream: AsyncIterable<Uint8Array>;
  size?: number;
}

/**
 * What an `onRead` hook answers: bytes, a stream (bare, or with its size), a path (relative
 * to the root, or absolute; trusted, not confined to the root), or nothing to fall through to
 * the file system. Throwing a TftpRefusal picks the ERROR code; other errors become ERROR 0.
 */
export type ReadContent =
  | Uint8Array
  | ReadStreamContent
  | AsyncIterable<Uint8Array>
  | string
  | undefined
  | null;

export type ReadHook = (context: ReadRequestContext) => ReadContent | Promise<ReadContent>;

export interface TftpWriteOptions {
  /** Accept write requests at all. Default false: every WRQ gets ERROR 2. */
  enabled?: boolean;
  /** Replace existing files. Default false: ERROR 6. */
  overwrite?: boolean;
  /** Largest upload in bytes; a larger tsize is refused up front. Default 512 MiB. */
  maxBytes?: number;
}

export interface TftpServerOptions {
  /** Directory served. Required. */
  root: string;
  /** Address to listen on; "::" listens on IPv6 and IPv4. Default "0.0.0.0". */
  host?: string;
  /** UDP port; 0 picks a free one. Default 69. */
  port?: number;
  /** Largest blksize granted (8..65464). Use 1468 for firmware that cannot reassemble fragments. */
  blksizeMax?: number;
  /** Largest windowsize granted (1..65535). Default 64. */
  windowsizeMax?: number;
  /** Look in `<root>/<client-ip>/`, then `<root>/default/`, then `<root>/`. Default false. */
  perClientRoot?: boolean;
  write?: TftpWriteOptions;
  /** Transfers in progress at once; further requests get ERROR 0. Default 64. */
  maxTransfers?: number;
  /** Consecutive retransmissions before a transfer is given up. Default 5. */
  retries?: number;
  /** Retransmit timeout until the round trip is measured; adaptive timeouts stay under 8 times it. Default 1000. */
  timeoutMs?: number;
  /** Floor of the adaptive retransmit timeout. Default 100. */
  minTimeoutMs?: number;
  onRead?: ReadHook;
  /** Time an `onRead` hook may take. Default 5000. */
  onReadTimeoutMs?: number;
  /**
   * After sending to a client whose round trip is below this, keep polling this long instead
   * of sleeping: on loopback and fast LANs, waking up dominates a lock-step round trip. Costs
   * CPU only while such a client is served, and only while fewer transfers run than there are
   * processors. 0 disables. Default 100.
   */
  busyPollMicros?: number;
  /**
   * Worker threads that run transfers, so that several transfers send on several processors;
   * the listening socket and `onRead` hooks stay in the server's thread (read requests of a
   * server with `onRead` run there too). Needs the compiled JavaScript (or a TypeScript loader
   * inherited through the process's execArgv). 0 runs every transfer in the server's thread.
   * Default 0.
   */
  workers?: number;
  /**
   * Send octet read transfers of files from the native read loop (prebuilt for linux-x64 glibc,
   * or `npm run build:native`), a thread per transfer that answers each ACK without a turn of
   * the event loop. Transfers with `onRead` or in netascii always run in JavaScript. Default:
   * when the loop is available; true makes a missing loop an error, false never uses it.
   */
  nativeReads?: boolean;
}

export interface ResolvedServerOptions {
  root: string;
  host: string;
  port: number;
  blksizeMax: number;
  windowsizeMax: number;
  perClientRoot: boolean;
  write: Required<TftpWriteOptions>;
  maxTransfers: number;
  retries: number;
  timeoutMs: number;
  minTimeoutMs: number;
  onRead: ReadHook | undefined;
  onReadTimeoutMs: number;
  busyPollMicros: number;
  workers: number;
  nativeReads: boolean;
}

function integerIn(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw new TftpServerError(
      "ERR_TFTP_INVALID_OPTION",
      `TFTP server option ${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return chosen;
}

export function resolveServerOptions(options: TftpServerOptions): ResolvedServerOptions {
  if (typeof options?.root !== "string" || options.root.length === 0) {
    throw new TftpServerError(
      "ERR_TFTP_INVALID_OPTION",
      "TFTP server option root is required: the directory to serve",
    );
  }
  if (options.onRead !== undefined && typeof options.onRead !== "function") {
    throw new TftpServerError("ERR_TFTP_INVALID_OPTION", "TFTP server option onRead must be a function");
  }
  const timeoutMs = integerIn("timeoutMs", options.timeoutMs, 1000, 1, 255_000);
  return {
    root: resolve(options.root),
    host: options.host ?? "0.0.0.0",
    port: integerIn("port", options.port, 69, 0, 65535),
    blksizeMax: integerIn("blksizeMax", options.blksizeMax, MAX_BLKSIZE, MIN_BLKSIZE, MAX_BLKSIZE),
    windowsizeMax: integerIn("windowsizeMax", options.windowsizeMax, 64, 1, MAX_WINDOWSIZE),
    perClientRoot: options.perClientRoot ?? false,
    write: {
      enabled: options.write?.enabled ?? false,
      overwrite: options.write?.overwrite ?? false,
      maxBytes: integerIn(
        "write.maxBytes",
        options.write?.maxBytes,
        512 * 1024 * 1024,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
    },
    maxTransfers: integerIn("maxTransfers", options.maxTransfers, 64, 1, 100_000),
    retries: integerIn("retries", options.retries, 5, 0, 100),
    timeoutMs,
    minTimeoutMs: integerIn("minTimeoutMs", options.minTimeoutMs, 100, 1, timeoutMs),
    onRead: options.onRead,
    onReadTimeoutMs: integerIn("onReadTimeoutMs", options.onReadTimeoutMs, 5000, 1, 3_600_000),
    busyPollMicros: integerIn("busyPollMicros", options.busyPollMicros, 100, 0, 10_000),
    workers: integerIn("workers", options.workers, 0, 0, 256),
    nativeReads: resolveNativeReads(options.nativeReads),
  };
}

function resolveNativeReads(wanted: boolean | undefined): boolean {
  if (wanted !== undefined && typeof wanted !== "boolean") {
    throw new TftpServerError(
      "ERR_TFTP_INVALID_OPTION",
      "TFTP server option nativeReads must be true or false",
    );
  }
  const native = loadNativeReadLoop();
  if (wanted === true && !native.loop) {
    throw new TftpServerError(
      "ERR_TFTP_NATIVE_UNAVAILABLE",
      `TFTP server option nativeReads is true, but the native read loop is not available: ${native.reason}; or leave nativeReads unset`,
    );
  }
  return wanted ?? native.loop !== undefined;
}
