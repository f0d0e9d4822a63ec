/**
 * Why a transfer ends, as the client and the transferEnd event see it: one wording for the
 * JavaScript transfers and the native read loop alike.
 */
import { TftpErrorCode, TftpRefusal } from "./errors.ts";
import { decodeError } from "./packet.ts";

export const shortPacket = () =>
  new TftpRefusal(TftpErrorCode.IllegalOperation, "Malformed packet: shorter than 4 bytes");

export const unexpectedOpcode = (expected: string, opcode: number) =>
  new TftpRefusal(TftpErrorCode.IllegalOperation, `Expected ${expected}, got opcode ${opcode}`);

export const timedOut = (retries: number) =>
  new TftpRefusal(TftpErrorCode.NotDefined, `Transfer timed out after ${retries} retries`);

export const clientGone = () =>
  new TftpRefusal(TftpErrorCode.NotDefined, "Client port unreachable: the client went away");

/** The client's own ERROR packet, which ends the transfer without a reply. */
export function clientSentError(packet: Buffer): TftpRefusal {
  const { code, message } = decodeError(packet);
  return new TftpRefusal(
    TftpErrorCode.NotDefined,
    `Client sent ERROR ${code}${message ? `: ${message}` : ""}`,
  );
}

/** `cause`: an error code such as EIO, or a message. */
export const readFailed = (cause: string) =>
  new TftpRefusal(TftpErrorCode.NotDefined, `Reading the file failed: ${cause}`);

export const socketFailed = (cause: string) =>
  new TftpRefusal(TftpErrorCode.NotDefined, `Socket error: ${cause}`);
