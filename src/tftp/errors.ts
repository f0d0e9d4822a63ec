import { CodedError } from "../core/coded-error.ts";
import type { ErrorCode } from "../core/error-codes.ts";

/** TFTP error codes (RFC 1350 section 5, RFC 2347 for code 8). */
export const TftpErrorCode = {
  NotDefined: 0,
  FileNotFound: 1,
  AccessViolation: 2,
  DiskFull: 3,
  IllegalOperation: 4,
  UnknownTransferId: 5,
  FileExists: 6,
  NoSuchUser: 7,
  OptionRefused: 8,
} as const;
export type TftpErrorCode = (typeof TftpErrorCode)[keyof typeof TftpErrorCode];

const refusalCodeNames = {
  0: "ERR_TFTP_REFUSED",
  1: "ERR_TFTP_FILE_NOT_FOUND",
  2: "ERR_TFTP_ACCESS_VIOLATION",
  3: "ERR_TFTP_DISK_FULL",
  4: "ERR_TFTP_ILLEGAL_OPERATION",
  5: "ERR_TFTP_UNKNOWN_TRANSFER_ID",
  6: "ERR_TFTP_FILE_EXISTS",
  7: "ERR_TFTP_NO_SUCH_USER",
  8: "ERR_TFTP_OPTION_REFUSED",
} as const satisfies Record<TftpErrorCode, ErrorCode>;

type TftpServerErrorCode = Extract<ErrorCode, `ERR_TFTP_${string}`>;

/** Errors of the server itself (configuration, binding, lifecycle), each with a stable `code`. */
export class TftpServerError extends CodedError<TftpServerErrorCode> {}

/**
 * A request or transfer the server refuses: it becomes an ERROR packet with `tftpCode` and this
 * message. An `onRead` hook may throw one to choose the code the client sees.
 */
export class TftpRefusal extends CodedError<(typeof refusalCodeNames)[TftpErrorCode]> {
  readonly tftpCode: TftpErrorCode;
  constructor(tftpCode: TftpErrorCode, message: string, options?: ErrorOptions) {
    super(refusalCodeNames[tftpCode], message, options);
    this.tftpCode = tftpCode;
  }
}

/** How a failed transfer is described in events: stable code, TFTP code, readable message. */
export interface TransferError {
  code: string;
  tftpCode: TftpErrorCode;
  message: string;
}

export function transferErrorOf(refusal: TftpRefusal): TransferError {
  return { code: refusal.code, tftpCode: refusal.tftpCode, message: refusal.message };
}
