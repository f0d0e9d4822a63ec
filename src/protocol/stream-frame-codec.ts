/**
 * The wire codec of RouterService.Stream's two messages, which carry every byte of serial
 * consoles, tunnels and file transfers. Both are `bytes payload = 1; FrameType frame_type = 2;`.
 * The generated codec copies a payload four times per frame (writer chunk, finish, Buffer.from,
 * and again on decode); this one copies it once to encode and not at all to decode (the payload
 * is a view of the received message, which grpc-js hands over and does not reuse).
 */
import { makeGenericClientConstructor } from "@grpc/grpc-js";
import {
  type FrameType,
  type RouterServiceClient,
  RouterServiceService,
  type StreamRequest,
  type StreamResponse,
} from "./gen/jumpstarter/v1/router.ts";

type Frame = StreamRequest & StreamResponse;

const PAYLOAD_TAG = (1 << 3) | 2;
const FRAME_TYPE_TAG = (2 << 3) | 0;

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value >>> 7; rest !== 0; rest >>>= 7) length++;
  return length;
}

function writeVarint(target: Buffer, at: number, value: number): number {
  let rest = value >>> 0;
  while (rest > 0x7f) {
    target[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  target[at++] = rest;
  return at;
}

/** A negative int32 is sent as its 64-bit two's complement: ten bytes, as protobuf requires. */
function writeInt32(target: Buffer, at: number, value: number): number {
  if (value >= 0) return writeVarint(target, at, value);
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest > 0x7fn) {
    target[at++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  target[at++] = Number(rest);
  return at;
}

export function encodeStreamFrame(frame: Frame): Buffer {
  const { payload, frameType } = frame;
  const payloadLength = payload.length;
  const frameTypeLength = frameType === 0 ? 0 : 1 + (frameType < 0 ? 10 : varintLength(frameType));
  const payloadFieldLength = payloadLength === 0 ? 0 : 1 + varintLength(payloadLength) + payloadLength;
  const out = Buffer.allocUnsafe(payloadFieldLength + frameTypeLength);
  let at = 0;
  if (payloadLength !== 0) {
    out[at++] = PAYLOAD_TAG;
    at = writeVarint(out, at, payloadLength);
    out.set(payload, at);
    at += payloadLength;
  }
  if (frameType !== 0) {
    out[at++] = FRAME_TYPE_TAG;
    writeInt32(out, at, frameType);
  }
  return out;
}

class Reader {
  at = 0;
  constructor(readonly bytes: Buffer) {}

  /** A varint's low 32 bits (all an int32 or a length needs); up to ten bytes are read. */
  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.at >= this.bytes.length) throw new Error("stream frame: truncated varint");
      const byte = this.bytes[this.at++]!;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error("stream frame: varint longer than ten bytes");
  }

  take(length: number): Buffer {
    const end = this.at + length;
    if (length < 0 || end > this.bytes.length) throw new Error("stream frame: field runs past the message");
    const field = this.bytes.subarray(this.at, end);
    this.at = end;
    return field;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(this.varint() >>> 0);
    else if (wireType === 5) this.take(4);
    else throw new Error(`stream frame: unsupported wire type ${wireType}`);
  }
}

/** Decodes either message; unknown fields are skipped, a malformed message throws. */
export function decodeStreamFrame(bytes: Buffer): Frame {
  const reader = new Reader(bytes);
  let payload: Buffer = EMPTY;
  let frameType = 0;
  while (reader.at < bytes.length) {
    const tag = reader.varint() >>> 0;
    if (tag === PAYLOAD_TAG) payload = reader.take(reader.varint() >>> 0);
    else if (tag === FRAME_TYPE_TAG) frameType = reader.varint() | 0;
    else if (tag >>> 3 === 0) throw new Error("stream frame: field number 0");
    else reader.skip(tag & 7);
  }
  return { payload, frameType: frameType as FrameType };
}

const EMPTY: Buffer = Buffer.alloc(0);

/** RouterService with this codec for Stream; serve and call it instead of the generated one. */
export const ROUTER_SERVICE: typeof RouterServiceService = {
  stream: {
    ...RouterServiceService.stream,
    requestSerialize: encodeStreamFrame,
    requestDeserialize: decodeStreamFrame,
    responseSerialize: encodeStreamFrame,
    responseDeserialize: decodeStreamFrame,
  },
};

/** A RouterService client with this codec; same API as the generated RouterServiceClient. */
export const RouterStreamClient = makeGenericClientConstructor(
  ROUTER_SERVICE,
  "jumpstarter.v1.RouterService",
) as unknown as typeof RouterServiceClient;
