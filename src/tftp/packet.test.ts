import { describe, expect, it } from "vitest";
import {
  decodeError,
  encodeAck,
  encodeError,
  encodeOack,
  MAX_REQUEST_BYTES,
  Opcode,
  parseRequest,
} from "./packet.ts";

const request = (opcode: number, ...fields: string[]) =>
  Buffer.concat([Buffer.from([0, opcode]), Buffer.from(fields.map((f) => `${f}\0`).join(""), "utf8")]);

describe("parseRequest", () => {
  it("reads a read request with options, keeping the client's spelling", () => {
    const parsed = parseRequest(
      request(Opcode.RRQ, "boot/kernel.img", "OCTET", "BlkSize", "1468", "tsize", "0"),
    );
    expect(parsed).toEqual({
      ok: true,
      request: {
        kind: "read",
        filename: "boot/kernel.img",
        mode: "octet",
        options: [
          { name: "BlkSize", key: "blksize", value: "1468" },
          { name: "tsize", key: "tsize", value: "0" },
        ],
      },
    });
  });

  it("reads a write request", () => {
    const parsed = parseRequest(request(Opcode.WRQ, "up.bin", "netascii"));
    expect(parsed.ok && parsed.request.kind).toBe("write");
  });

  it("ignores an option name without value", () => {
    const parsed = parseRequest(request(Opcode.RRQ, "f", "octet", "blksize", "1024", "tsize"));
    expect(parsed.ok && parsed.request.options.map((o) => o.key)).toEqual(["blksize"]);
  });

  it("ignores zero padding after the options, as some boot ROMs send", () => {
    const packet = Buffer.concat([request(Opcode.RRQ, "f", "octet", "blksize", "1024"), Buffer.alloc(6)]);
    const parsed = parseRequest(packet);
    expect(parsed.ok && parsed.request.options.map((o) => o.key)).toEqual(["blksize"]);
  });

  it("decodes UTF-8 filenames", () => {
    const parsed = parseRequest(request(Opcode.RRQ, "grüße.txt", "octet"));
    expect(parsed.ok && parsed.request.filename).toBe("grüße.txt");
  });

  it.each([
    ["shorter than 4 bytes", Buffer.from([0, 1, 0])],
    ["missing the NUL after the mode", Buffer.from("\0\x01file\0octet", "latin1")],
    ["missing the NUL after the filename", Buffer.from("\0\x01file", "latin1")],
    ["an empty filename", request(Opcode.RRQ, "", "octet")],
    ["a filename that is not UTF-8", Buffer.from([0, 1, 0xff, 0xfe, 0, 0x6f, 0])],
    ["a DATA packet", Buffer.from([0, 3, 0, 1, 1, 2, 3])],
    ["an unknown opcode", Buffer.from([0, 9, 0x61, 0, 0x62, 0])],
    ["longer than 512 bytes", request(Opcode.RRQ, "x".repeat(MAX_REQUEST_BYTES), "octet")],
  ])("refuses a request %s", (_, packet) => {
    const parsed = parseRequest(packet);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason.length).toBeGreaterThan(5);
  });
});

describe("encoders", () => {
  it("encodes an ACK with the block number rolled over", () => {
    expect([...encodeAck(65536 + 7)]).toEqual([0, 4, 0, 7]);
  });

  it("encodes an ERROR terminated by NUL and decodes it back", () => {
    const packet = encodeError(1, "File not found");
    expect(packet.at(-1)).toBe(0);
    expect(decodeError(packet)).toEqual({ code: 1, message: "File not found" });
  });

  it("truncates long ERROR messages so the packet fits a 512-byte buffer", () => {
    expect(encodeError(0, "x".repeat(2000)).length).toBeLessThanOrEqual(512);
  });

  it("decodes an ERROR without terminator", () => {
    expect(decodeError(Buffer.from([0, 5, 0, 8, 0x6e, 0x6f]))).toEqual({ code: 8, message: "no" });
  });

  it("encodes an OACK in the given order", () => {
    const packet = encodeOack([
      ["tsize", "42"],
      ["BLKSIZE", "1024"],
    ]);
    expect(packet.toString("latin1")).toBe("\0\x06tsize\x0042\0BLKSIZE\x001024\0");
  });
});
