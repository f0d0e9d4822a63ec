/**
 * The optional native read loop (src/tftp/native/read-loop.c, built into
 * build/Release/dutkit_tftp.node by `npm run build:native`). It runs the data phase of octet
 * read transfers from files in a thread of its own; everything else stays in JavaScript.
 */
import { createRequire } from "node:module";

/** Why a native transfer ended (enum end_reason in read-loop.c). */
export const NativeEnd = {
  Completed: 0,
  ClientError: 1,
  ShortPacket: 2,
  UnexpectedOpcode: 3,
  TimedOut: 4,
  Unreachable: 5,
  ReadFailed: 6,
  Aborted: 7,
  SocketFailed: 8,
} as const;

export interface NativeReadParameters {
  size: number;
  blksize: number;
  windowsize: number;
  initialMs: number;
  minMs: number;
  maxMs: number;
  /** A timeout negotiated with the client, used as is; 0 for the adaptive one. */
  fixedMs: number;
  retries: number;
}

export interface NativeEndReport {
  reason: number;
  /** errno for ReadFailed and SocketFailed, the opcode for UnexpectedOpcode. */
  detail: number;
  bytes: number;
  blocks: number;
  retransmits: number;
  /** Whether the OACK was still unanswered. */
  awaitingOack: boolean;
  /** The client's ERROR packet (ClientError). */
  errorPacket?: Buffer;
}

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

export interface NativeReadLoop {
  /** A socket bound to a new port on `localAddress`, connected to the client. */
  open(family: 4 | 6, localAddress: string, peerAddress: string, peerPort: number): [NativeHandle, number];
  send(handle: NativeHandle, packet: Buffer): void;
  startRead(
    handle: NativeHandle,
    fd: number,
    parameters: NativeReadParameters,
    oack: Buffer | null,
    onEnd: (report: NativeEndReport) => void,
  ): void;
  /** Stops the transfer's thread and waits for it: its report, or undefined if it was not running. */
  abort(handle: NativeHandle): NativeEndReport | undefined;
  /** Whether the thread handled all its socket received and waits for more (or never ran). */
  settled(handle: NativeHandle): boolean;
  /** Waits for the transfer's thread, then closes its socket. */
  close(handle: NativeHandle): void;
}

/** Relative to this module: src/tftp/ (from source) and dist/src/tftp/ (compiled). */
const candidates = ["../../build/Release/dutkit_tftp.node", "../../../build/Release/dutkit_tftp.node"];
let loaded: NativeReadLoop | null | undefined;

/** The native read loop, or undefined when it is not built for this machine. */
export function nativeReadLoop(): NativeReadLoop | undefined {
  if (loaded === undefined) {
    loaded = null;
    const require = createRequire(import.meta.url);
    for (const candidate of candidates) {
      try {
        loaded = require(candidate) as NativeReadLoop;
        break;
      } catch {
        // not built there
      }
    }
  }
  return loaded ?? undefined;
}
