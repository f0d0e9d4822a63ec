import { randomBytes } from "node:crypto";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { describe, expect, test } from "vitest";
import { FrameType, StreamRequest, StreamResponse } from "./gen/jumpstarter/v1/router.ts";
import { decodeStreamFrame, encodeStreamFrame } from "./stream-frame-codec.ts";

const generatedBytes = (frame: StreamRequest) => Buffer.from(StreamRequest.encode(frame).finish());

const frames: StreamRequest[] = [
  { payload: Buffer.alloc(0), frameType: FrameType.FRAME_TYPE_DATA },
  { payload: Buffer.from("x"), frameType: FrameType.FRAME_TYPE_DATA },
  { payload: Buffer.alloc(0), frameType: FrameType.FRAME_TYPE_GOAWAY },
  { payload: randomBytes(127), frameType: FrameType.FRAME_TYPE_PING },
  { payload: randomBytes(128), frameType: FrameType.FRAME_TYPE_RST_STREAM },
  { payload: randomBytes(16_384), frameType: FrameType.FRAME_TYPE_DATA },
  { payload: randomBytes(256 * 1024), frameType: FrameType.FRAME_TYPE_DATA },
  { payload: randomBytes(3), frameType: 300 as FrameType },
  { payload: randomBytes(3), frameType: -1 as FrameType },
];

describe("RouterService.Stream frame codec", () => {
  test.each(frames.map((frame) => [frame.payload.length, frame.frameType, frame] as const))(
    "encodes a %i-byte payload with frame type %i byte for byte as the generated codec",
    (_length, _type, frame) => {
      expect(encodeStreamFrame(frame).equals(generatedBytes(frame))).toBe(true);
    },
  );

  test.each(frames.map((frame) => [frame.payload.length, frame.frameType, frame] as const))(
    "decodes the generated codec's %i-byte payload with frame type %i",
    (_length, _type, frame) => {
      const decoded = decodeStreamFrame(generatedBytes(frame));
      expect(decoded.frameType).toBe(frame.frameType);
      expect(Buffer.from(decoded.payload).equals(frame.payload)).toBe(true);
      // Responses share the layout.
      const generated = StreamResponse.decode(encodeStreamFrame(frame));
      expect(generated.frameType).toBe(frame.frameType);
      expect(generated.payload.equals(frame.payload)).toBe(true);
    },
  );

  test("skips fields it does not know, of every wire type, and keeps the last of a repeated field", () => {
    const writer = new BinaryWriter();
    writer.uint32((9 << 3) | 0).uint64(123456789012345n);
    writer.uint32((1 << 3) | 2).bytes(Buffer.from("first"));
    writer.uint32((10 << 3) | 1).fixed64(7n);
    writer.uint32((11 << 3) | 2).bytes(Buffer.from("ignored"));
    writer.uint32((12 << 3) | 5).fixed32(9);
    writer.uint32((2 << 3) | 0).int32(FrameType.FRAME_TYPE_PING);
    writer.uint32((1 << 3) | 2).bytes(Buffer.from("last"));
    const bytes = Buffer.from(writer.finish());
    const decoded = decodeStreamFrame(bytes);
    expect(decoded.payload.toString()).toBe("last");
    expect(decoded.frameType).toBe(FrameType.FRAME_TYPE_PING);
    expect(StreamRequest.decode(bytes)).toEqual({
      payload: Buffer.from("last"),
      frameType: decoded.frameType,
    });
  });

  test("decodes without copying: the payload is a view of the received message", () => {
    const bytes = encodeStreamFrame({ payload: Buffer.from("view"), frameType: FrameType.FRAME_TYPE_DATA });
    const decoded = decodeStreamFrame(bytes);
    expect(decoded.payload.buffer).toBe(bytes.buffer);
  });

  test.each([
    ["a payload longer than the message", Buffer.from([0x0a, 0x05, 0x01])],
    ["a truncated varint", Buffer.from([0x10, 0x80])],
    ["a varint of eleven bytes", Buffer.from([0x10, ...Array(10).fill(0xff), 0x01])],
    ["field number 0", Buffer.from([0x00, 0x01])],
    ["a group (wire type 3)", Buffer.from([(5 << 3) | 3])],
  ])("refuses %s", (_what, bytes) => {
    expect(() => decodeStreamFrame(bytes)).toThrow(/^stream frame: /);
  });
});
