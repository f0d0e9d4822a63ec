/**
 * Sources of the bytes a read request sends: a file, bytes in memory or a stream, optionally
 * translated to netascii. Each is read sequentially in large chunks by the outgoing buffer.
 */
import { close, read } from "node:fs";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";
import { encodeNetascii } from "./netascii.ts";

export interface ContentReader {
  /** Total bytes the reader will produce, when known in advance. */
  readonly size: number | undefined;
  /** Reads up to `length` bytes into `target` at `offset`; resolves 0 at the end. */
  read(target: Buffer, offset: number, length: number): Promise<number>;
  /** Releases the source; waits for a read in progress. Safe to call twice. */
  close(): Promise<void>;
}

/** Reads an open file descriptor up to the size it had when opened, then closes it. */
export class FileContentReader implements ContentReader {
  private position = 0;
  private pending: Promise<number> | undefined;
  private closed: Promise<void> | undefined;

  /** @param fd the open file, which the native read loop may also read with pread */
  constructor(
    readonly fd: number,
    readonly size: number,
  ) {}

  read(target: Buffer, offset: number, length: number): Promise<number> {
    const wanted = Math.min(length, this.size - this.position);
    if (wanted <= 0 || this.closed) return Promise.resolve(0);
    this.pending = new Promise<number>((resolve, reject) => {
      read(this.fd, target, offset, wanted, this.position, (error, bytesRead) => {
        this.pending = undefined;
        if (error) reject(error);
        else {
          this.position += bytesRead;
          resolve(bytesRead);
        }
      });
    });
    return this.pending;
  }

  close(): Promise<void> {
    this.closed ??= (this.pending ?? Promise.resolve(0))
      .catch(() => 0)
      .then(() => new Promise<void>((resolve) => close(this.fd, () => resolve())));
    return this.closed;
  }
}

export class BytesContentReader implements ContentReader {
  private position = 0;
  readonly size: number;

  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(target: Buffer, offset: number, length: number): Promise<number> {
    const count = Math.min(length, this.bytes.length - this.position);
    target.set(this.bytes.subarray(this.position, this.position + count), offset);
    this.position += count;
    return Promise.resolve(count);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Reads an async iterable of byte chunks; a declared size is enforced at the end. */
export class StreamContentReader implements ContentReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private leftover: Uint8Array | undefined;
  private produced = 0;
  private done = false;

  constructor(
    stream: AsyncIterable<Uint8Array>,
    readonly size: number | undefined,
  ) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    let written = 0;
    while (written < length && !this.done) {
      if (!this.leftover) {
        const next = await this.iterator.next();
        if (next.done) {
          this.done = true;
          break;
        }
        if (!(next.value instanceof Uint8Array)) {
          throw new TftpRefusal(TftpErrorCode.NotDefined, "onRead stream must yield bytes, not strings");
        }
        this.leftover = next.value;
      }
      const count = Math.min(length - written, this.leftover.length);
      target.set(this.leftover.subarray(0, count), offset + written);
      this.leftover = count < this.leftover.length ? this.leftover.subarray(count) : undefined;
      written += count;
      // Hand over what we have once something arrived; the next call continues.
      if (written > 0 && !this.leftover) break;
    }
    this.produced += written;
    this.checkDeclaredSize();
    return written;
  }

  private checkDeclaredSize(): void {
    if (this.size === undefined) return;
    if (this.produced > this.size) {
      throw new TftpRefusal(
        TftpErrorCode.NotDefined,
        `onRead stream produced more than its declared size of ${this.size} bytes`,
      );
    }
    if (this.done && this.produced < this.size) {
      throw new TftpRefusal(
        TftpErrorCode.NotDefined,
        `onRead stream ended after ${this.produced} of its declared ${this.size} bytes`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.iterator.return?.();
  }
}

/** Translates another reader's bytes to netascii on the way out; the size becomes unknown. */
export class NetasciiContentReader implements ContentReader {
  readonly size = undefined;
  private scratch = Buffer.alloc(0);
  /** One input byte and its up to two output bytes, for reads with room for one byte. */
  private readonly single = Buffer.alloc(3);
  /** Second byte of a CR LF or CR NUL pair that did not fit in the previous read (-1 = none). */
  private carried = -1;

  constructor(private readonly inner: ContentReader) {}

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    if (this.carried >= 0) {
      target[offset] = this.carried;
      this.carried = -1;
      return 1;
    }
    if (length >= 2) {
      // Every input byte may become two.
      const rawLength = length >> 1;
      if (this.scratch.length < rawLength) this.scratch = Buffer.allocUnsafe(rawLength);
      const count = await this.inner.read(this.scratch, 0, rawLength);
      return encodeNetascii(this.scratch, 0, count, target, offset);
    }
    const { single } = this;
    if ((await this.inner.read(single, 0, 1)) === 0) return 0;
    if (encodeNetascii(single, 0, 1, single, 1) === 2) this.carried = single[2]!;
    target[offset] = single[1]!;
    return 1;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
