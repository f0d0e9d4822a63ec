import { z } from "zod";
import type { TftpServerStats as ServerStats } from "../../tftp/index.ts";

/** A finished transfer as `transfers()` reports it. */
export const TftpTransferRecord = z.object({
  id: z.number(),
  kind: z.enum(["read", "write"]),
  filename: z.string(),
  client: z.string(),
  outcome: z.string(),
  bytes: z.number(),
  blocks: z.number(),
  retransmits: z.number(),
  durationMs: z.number(),
  blksize: z.number().nullable(),
  windowsize: z.number().nullable(),
  /** Sent by the native read loop. */
  native: z.boolean(),
  error: z.string().nullable(),
});
export type TftpTransferRecord = z.output<typeof TftpTransferRecord>;

const count = z.number();

/** The TFTP server's totals (`TftpServerStats` of src/tftp), as `stats()` sends them. */
export const TftpServerStats: z.ZodType<ServerStats> = z.object({
  activeTransfers: count,
  startedTransfers: count,
  completedTransfers: count,
  failedTransfers: count,
  abortedTransfers: count,
  sizeProbes: count,
  busyRejections: count,
  duplicateRequests: count,
  bytesSent: count,
  bytesReceived: count,
  retransmits: count,
  nativeTransfers: count,
  malformedPackets: count,
  strangerPackets: count,
  leftoverUploadsRemoved: count,
});

/** The methods of Jumpstarter's TFTP server driver, plus dutkit's `stats` and `transfers`. */
export interface TftpInterface {
  start(): Promise<void>;
  stop(): Promise<void>;
  get_host(): string;
  get_port(): number;
  stats(): ServerStats;
  transfers(): TftpTransferRecord[];
}
