import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  BytesContentReader,
  type ContentReader,
  NetasciiContentReader,
  StreamContentReader,
} from "./content.ts";
import { OutgoingBuffer } from "./outgoing-buffer.ts";

function pattern(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
}

/**
 * Reads every block through an OutgoingBuffer the way a transfer does (acknowledging as it
 * goes) and returns the concatenated payload; bounded by `maxSteps`.
 */
async function drain(reader: ContentReader, blksize: number, windowBlocks: number, chunk: number) {
  let wake: () => void = () => {};
  const buffer = new OutgoingBuffer(reader, blksize, windowBlocks * blksize, chunk, () => wake());
  const packet = Buffer.alloc(blksize + 4);
  const parts: Buffer[] = [];
  for (let block = 1; block < 100_000; block++) {
    let length = buffer.copyBlock((block - 1) * blksize, blksize, packet, 4);
    for (let wait = 0; length < 0 && wait < 1000; wait++) {
      if (buffer.error !== undefined) throw buffer.error;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      if (buffer.error !== undefined) throw buffer.error;
      length = buffer.copyBlock((block - 1) * blksize, blksize, packet, 4);
    }
    parts.push(Buffer.from(packet.subarray(4, 4 + length)));
    buffer.release(block * blksize);
    buffer.readAhead();
    if (length < blksize) return Buffer.concat(parts);
  }
  throw new Error("did not end");
}

describe("OutgoingBuffer", () => {
  it.each([0, 1, 511, 512, 513, 1024, 5000, 100_000])("delivers %i bytes exactly", async (size) => {
    const data = pattern(size);
    expect((await drain(new BytesContentReader(data), 512, 1, 4096)).equals(data)).toBe(true);
  });

  it("delivers across chunk boundaries with a window", async () => {
    const data = pattern(300_001);
    expect((await drain(new BytesContentReader(data), 1468, 16, 8192)).equals(data)).toBe(true);
  });

  it("serves a window again after a rewind, across the ring's wrap-around", async () => {
    const blksize = 512;
    const data = pattern(64 * blksize + 17);
    let wake: () => void = () => {};
    const buffer = new OutgoingBuffer(new BytesContentReader(data), blksize, 4 * blksize, 2048, () => wake());
    const packet = Buffer.alloc(blksize + 4);
    const copy = async (block: number) => {
      for (let wait = 0; wait < 100; wait++) {
        const length = buffer.copyBlock((block - 1) * blksize, blksize, packet, 4);
        if (length >= 0) return Buffer.from(packet.subarray(4, 4 + length));
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      throw new Error(`block ${block} never loaded`);
    };
    const expected = (block: number) => data.subarray((block - 1) * blksize, block * blksize);
    for (let acked = 0; acked < 65; acked += 3) {
      // Send a window of four, lose the rest after three, go again from the fourth.
      for (let block = acked + 1; block <= Math.min(acked + 4, 65); block++) {
        expect((await copy(block)).equals(expected(block))).toBe(true);
      }
      buffer.release((acked + 3) * blksize);
      buffer.readAhead();
    }
  });

  it("ends with an empty block when the size is a multiple of blksize", async () => {
    const parts = await drain(new BytesContentReader(pattern(1024)), 512, 1, 4096);
    expect(parts.length).toBe(1024);
  });

  it("reads streams of unknown size in odd chunks", async () => {
    const data = pattern(70_000);
    const chunks = [data.subarray(0, 1), data.subarray(1, 40_000), data.subarray(40_000)];
    const reader = new StreamContentReader(Readable.from(chunks), undefined);
    expect((await drain(reader, 512, 4, 16_384)).equals(data)).toBe(true);
  });

  it("fails a stream that ends before its declared size", async () => {
    const reader = new StreamContentReader(Readable.from([pattern(100)]), 200);
    await expect(drain(reader, 512, 1, 4096)).rejects.toThrow(/ended after 100 of its declared 200 bytes/);
  });

  it("fails a stream that yields strings", async () => {
    const reader = new StreamContentReader(Readable.from(["text"], { objectMode: true }), undefined);
    await expect(drain(reader, 512, 1, 4096)).rejects.toThrow(/must yield bytes/);
  });

  it("translates to netascii on the way out", async () => {
    const reader = new NetasciiContentReader(new BytesContentReader(Buffer.from("a\nb\rc\r\n", "latin1")));
    expect((await drain(reader, 512, 1, 4096)).toString("latin1")).toBe("a\r\nb\r\0c\r\0\r\n");
  });

  it("translates to netascii one byte at a time, carrying half of a pair", async () => {
    const reader = new NetasciiContentReader(new BytesContentReader(Buffer.from("\r\nx\n", "latin1")));
    const target = Buffer.alloc(1);
    let wire = "";
    for (let i = 0; i < 20; i++) {
      if ((await reader.read(target, 0, 1)) === 0) break;
      wire += target.toString("latin1");
    }
    expect(wire).toBe("\r\0\r\nx\r\n");
  });

  it("translates large text to netascii across chunks", async () => {
    const text = Buffer.from("line\n".repeat(50_000), "latin1");
    const reader = new NetasciiContentReader(new BytesContentReader(text));
    const wire = await drain(reader, 1024, 8, 16_384);
    expect(wire.equals(Buffer.from("line\r\n".repeat(50_000), "latin1"))).toBe(true);
  });
});
