import { describe, expect, it } from "vitest";
import { encodeNetascii, NetasciiDecoder } from "./netascii.ts";

function encode(text: string): string {
  const source = Buffer.from(text, "latin1");
  const target = Buffer.alloc(source.length * 2);
  return target.subarray(0, encodeNetascii(source, 0, source.length, target, 0)).toString("latin1");
}

function decodeInBlocks(wire: Buffer, blockSize: number): Buffer {
  const decoder = new NetasciiDecoder();
  const out = Buffer.alloc(wire.length + 1);
  let length = 0;
  for (let offset = 0; offset < wire.length; offset += blockSize) {
    length += decoder.decode(wire.subarray(offset, offset + blockSize), out, length);
  }
  length += decoder.finish(out, length);
  return out.subarray(0, length);
}

describe("netascii", () => {
  it.each([
    ["LF becomes CR LF", "a\nb\n", "a\r\nb\r\n"],
    ["a lone CR becomes CR NUL", "a\rb", "a\r\0b"],
    ["CR LF becomes CR NUL CR LF", "a\r\n", "a\r\0\r\n"],
    ["other bytes pass", "plain\ttext\0", "plain\ttext\0"],
  ])("encodes: %s", (_, text, wire) => {
    expect(encode(text)).toBe(wire);
  });

  it("decodes what it encodes, whatever the block boundaries", () => {
    const samples = ["", "\r", "\n", "\r\r\n\n\r\0x", "line\nline\r\nend\r"];
    for (const text of samples) {
      const source = Buffer.from(text, "latin1");
      const wire = Buffer.alloc(source.length * 2);
      const wireLength = encodeNetascii(source, 0, source.length, wire, 0);
      for (const blockSize of [1, 2, 3, 512]) {
        expect(decodeInBlocks(wire.subarray(0, wireLength), blockSize).toString("latin1")).toBe(text);
      }
    }
  });

  it("round-trips random bytes", () => {
    let seed = 7;
    const source = Buffer.alloc(4096, 0).map(() => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return [13, 10, 0, seed & 0xff][seed % 4]!;
    });
    const wire = Buffer.alloc(source.length * 2);
    const wireLength = encodeNetascii(source, 0, source.length, wire, 0);
    expect(decodeInBlocks(wire.subarray(0, wireLength), 7).equals(source)).toBe(true);
  });

  it("decodes a CR followed by another byte as that CR and the byte", () => {
    expect(decodeInBlocks(Buffer.from("a\rb", "latin1"), 512).toString("latin1")).toBe("a\rb");
  });
});
