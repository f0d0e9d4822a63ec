/** What the server reports: per-transfer events and running totals. */
import type { TftpClient } from "./config.ts";
import type { TftpServerError } from "./errors.ts";
import type { NegotiatedOptions } from "./options.ts";
import type { TransferSummary } from "./transfer.ts";

export interface TransferStartEvent {
  /** Unique per server instance, counting from 1. */
  id: number;
  kind: "read" | "write";
  /** The filename exactly as the client sent it. */
  filename: string;
  mode: string;
  client: TftpClient;
  /** Requested options by lower-cased name (first occurrence). */
  requestedOptions: Record<string, string>;
}

export interface TransferEndEvent extends TransferStartEvent, TransferSummary {
  durationMs: number;
  /** What was agreed; absent when the request was refused before negotiation. */
  options?: NegotiatedOptions;
}

export interface TftpServerEvents {
  transferStart: [event: TransferStartEvent];
  transferEnd: [event: TransferEndEvent];
  /** Trouble after start() that ends no transfer (e.g. the listening socket reports an error). */
  warning: [error: TftpServerError];
}

/** Totals since the server was created; `activeTransfers` is the current count. */
export interface TftpServerStats {
  activeTransfers: number;
  startedTransfers: number;
  completedTransfers: number;
  failedTransfers: number;
  /** Ended by the client (ERROR, port gone) or by stop(). */
  abortedTransfers: number;
  /** Client ERROR right after an OACK: UEFI PXE asking for the size before the real request. */
  sizeProbes: number;
  /** Requests refused because maxTransfers were running. */
  busyRejections: number;
  /** Requests ignored as retransmissions of the one a transfer still running answers. */
  duplicateRequests: number;
  bytesSent: number;
  bytesReceived: number;
  retransmits: number;
  /** Read transfers sent by the native read loop (nativeReads). */
  nativeTransfers: number;
  malformedPackets: number;
  /** Packets that reached a transfer's port from another address (answered with ERROR 5). */
  strangerPackets: number;
  /** Temporary files of uploads cut off by a killed server, removed by start(). */
  leftoverUploadsRemoved: number;
}

export function emptyStats(): TftpServerStats {
  return {
    activeTransfers: 0,
    startedTransfers: 0,
    completedTransfers: 0,
    failedTransfers: 0,
    abortedTransfers: 0,
    sizeProbes: 0,
    busyRejections: 0,
    duplicateRequests: 0,
    bytesSent: 0,
    bytesReceived: 0,
    retransmits: 0,
    nativeTransfers: 0,
    malformedPackets: 0,
    strangerPackets: 0,
    leftoverUploadsRemoved: 0,
  };
}
