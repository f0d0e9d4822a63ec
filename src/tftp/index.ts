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
export { encodeNetascii, NetasciiDecoder } from "./netascii.ts";
export {
  DEFAULT_BLKSIZE,
  MAX_BLKSIZE,
  MAX_WINDOWSIZE,
  MIN_BLKSIZE,
  type NegotiatedOptions,
  type Negotiation,
  type NegotiationLimits,
  negotiateOptions,
} from "./options.ts";
export {
  encodeAck,
  encodeError,
  encodeOack,
  Opcode,
  parseRequest,
  type RequestedOption,
  type TftpRequest,
} from "./packet.ts";
export { normalizeRequestPath } from "./paths.ts";
export { TftpServer, type TftpServerAddress } from "./server.ts";
export type { TransferOutcome, TransferSummary } from "./transfer.ts";
