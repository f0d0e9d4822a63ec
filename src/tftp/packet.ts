/** TFTP packet layouts (RFC 1350, RFC 2347): decoding requests and encoding replies. */
import type { TftpErrorCode } from "./errors.ts";

export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 2347: a request carrying options must not exceed 512 octets. */
export const MAX_REQUEST_BYTES = 512;
/** Longest ERROR message we send, so the packet fits any client's 512-byte buffer. */
const MAX_ERROR_MESSAGE_BYTES = 255;

export interface RequestedOption {
  /** The name as the client spelled it; echoed back unchanged in the OACK. */
  name: string;
  /** Lower-cased name, for matching. */
  key: string;
  value: string;
}

export interface TftpRequest {
  kind: "read" | "write";
  filename: string;
  /** Lower-cased transfer mode, e.g. "octet" or "netascii". */
  mode: string;
  options: RequestedOption[];
}

export type RequestParseResult = { ok: true; request: TftpRequest } | { ok: false; reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Splits NUL-terminated strings; bytes after the last NUL are dropped. */
function splitStrings(body: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0) {
      fields.push(body.subarray(start, i));
      start = i + 1;
    }
  }
  return fields;
}

export function parseRequest(msg: Buffer): RequestParseResult {
  if (msg.length < 4) return { ok: false, reason: "Request too short" };
  if (msg.length > MAX_REQUEST_BYTES) {
    return { ok: false, reason: `Request longer than ${MAX_REQUEST_BYTES} bytes` };
  }
  const opcode = msg.readUInt16BE(0);
  if (opcode !== Opcode.RRQ && opcode !== Opcode.WRQ) {
    return { ok: false, reason: "Expected a read or write request on the server port" };
  }
  const fields = splitStrings(msg.subarray(2));
  const [filenameBytes, modeBytes] = fields;
  if (filenameBytes === undefined || modeBytes === undefined) {
    return { ok: false, reason: "Malformed request: filename and mode must each end with a NUL byte" };
  }
  let filename: string;
  try {
    filename = utf8.decode(filenameBytes);
  } catch {
    return { ok: false, reason: "Malformed request: filename is not valid UTF-8" };
  }
  if (filename.length === 0) return { ok: false, reason: "Malformed request: empty filename" };
  const mode = modeBytes.toString("latin1").toLowerCase();
  const options: RequestedOption[] = [];
  // Options come in name/value pairs; an incomplete trailing pair (padding some ROMs add) is ignored.
  for (let i = 2; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString("latin1");
    if (name.length === 0) continue;
    options.push({ name, key: name.toLowerCase(), value: fields[i + 1]!.toString("latin1") });
  }
  return { ok: true, request: { kind: opcode === Opcode.RRQ ? "read" : "write", filename, mode, options } };
}

export function encodeAck(block: number): Buffer {
  const packet = Buffer.allocUnsafe(4);
  packet.writeUInt16BE(Opcode.ACK, 0);
  packet.writeUInt16BE(block & 0xffff, 2);
  return packet;
}

export function encodeError(code: TftpErrorCode, message: string): Buffer {
  let text = Buffer.from(message, "utf8");
  if (text.length > MAX_ERROR_MESSAGE_BYTES) text = text.subarray(0, MAX_ERROR_MESSAGE_BYTES);
  const packet = Buffer.alloc(4 + text.length + 1);
  packet.writeUInt16BE(Opcode.ERROR, 0);
  packet.writeUInt16BE(code, 2);
  text.copy(packet, 4);
  return packet;
}

export function encodeOack(entries: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, Opcode.OACK])];
  for (const [name, value] of entries) parts.push(Buffer.from(`${name}\0${value}\0`, "latin1"));
  return Buffer.concat(parts);
}

/** A packet buffer for DATA blocks of `blksize` bytes, opcode pre-filled. */
export function allocateDataPacket(blksize: number): Buffer {
  const packet = Buffer.allocUnsafe(blksize + 4);
  packet[0] = 0;
  packet[1] = Opcode.DATA;
  return packet;
}

export interface ErrorPacket {
  code: number;
  message: string;
}

/** Decodes an ERROR packet leniently: a missing terminator or bad text still yields the code. */
export function decodeError(msg: Buffer): ErrorPacket {
  const code = msg.length >= 4 ? msg.readUInt16BE(2) : 0;
  const end = msg.indexOf(0, 4);
  const message = msg.subarray(4, end === -1 ? msg.length : end).toString("latin1");
  return { code, message };
}
