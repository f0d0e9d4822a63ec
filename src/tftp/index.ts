/** `dutkit/tftp`: the standalone TFTP server (RFC 1350; blksize, timeout, tsize and windowsize options). */
export type {
  ReadContent,
  ReadHook,
  ReadRequestContext,
  ReadStreamContent,
  TftpClient,
  TftpServerOptions,
  TftpWriteOptions,
} from "./config.ts";
export { TftpErrorCode, TftpRefusal, TftpServerError, type TransferError } from "./errors.ts";
export type { TftpServerEvents, TftpServerStats, TransferEndEvent, TransferStartEvent } from "./events.ts";
export { DEFAULT_BLKSIZE, MAX_BLKSIZE, MAX_WINDOWSIZE, MIN_BLKSIZE } from "./options.ts";
export { TftpServer, type TftpServerAddress } from "./server.ts";
export type { TransferOutcome, TransferSummary } from "./transfer.ts";
