import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../core/errors.ts";
import { driverStreamRequest, MAX_FRAME_PAYLOAD, parseStreamTarget, writeData } from "./router-stream.ts";

describe("byte stream request metadata", () => {
  it("writes the compact JSON of the reference client", () => {
    expect(driverStreamRequest("u-1", "connect")).toBe('{"kind":"driver","uuid":"u-1","method":"connect"}');
  });

  it("reads driver and resource requests", () => {
    expect(parseStreamTarget(driverStreamRequest("u-1", "connect"))).toEqual({
      kind: "driver",
      uuid: "u-1",
      method: "connect",
    });
    expect(parseStreamTarget('{"kind":"resource","uuid":"u-2","x_jmp_content_encoding":"gzip"}')).toEqual({
      kind: "resource",
      uuid: "u-2",
      contentEncoding: "gzip",
    });
    expect(parseStreamTarget(Buffer.from('{"kind":"resource","uuid":"u-2"}'))).toEqual({
      kind: "resource",
      uuid: "u-2",
      contentEncoding: null,
    });
  });

  it.each([
    [undefined, /needs "request" metadata/],
    ["nope", /is not JSON/],
    ["[]", /no driver uuid/],
    ['{"kind":"driver","uuid":"u"}', /no method/],
    ['{"kind":"other","uuid":"u"}', /has kind "other"/],
  ])("refuses %s with INVALID_ARGUMENT", (value, message) => {
    expect(() => parseStreamTarget(value)).toThrow(InvalidArgumentError);
    expect(() => parseStreamTarget(value)).toThrow(message);
  });
});

describe("writeData", () => {
  it("splits a large write into DATA frames a 4 MiB-limited peer takes, in order", () => {
    const written: Buffer[] = [];
    const call = { write: (frame: { payload: Buffer }) => written.push(frame.payload) < 3 };
    const payload = Buffer.from(Array.from({ length: 2 * MAX_FRAME_PAYLOAD + 1000 }, (_, i) => i % 251));
    expect(writeData(call, payload)).toBe(false);
    expect(written.map((frame) => frame.length)).toEqual([MAX_FRAME_PAYLOAD, MAX_FRAME_PAYLOAD, 1000]);
    expect(Buffer.concat(written).equals(payload)).toBe(true);
    expect(MAX_FRAME_PAYLOAD).toBeLessThan(4 * 1024 * 1024);
  });
});
