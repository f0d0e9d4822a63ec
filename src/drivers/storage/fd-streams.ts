/**
 * The byte streams of the storage driver. A driver byte stream takes no arguments, so each one
 * starts with a header line naming the file descriptor that `open()` returned: `<fd>\n`. After
 * the header, an upload carries the file's bytes and the driver ends its side once they are all
 * written; a download carries nothing more from the client and the driver sends the file.
 */
import { Duplex } from "node:stream";
import { InvalidArgumentError } from "../../core/errors.ts";

/** Longest header accepted: a uuid and a newline, with room to spare. */
const MAX_HEADER = 128;

/** Reads the `<fd>\n` header from the first chunks; returns the fd and the bytes after it. */
class HeaderReader {
  private buffered = Buffer.alloc(0);

  constructor(private readonly method: string) {}

  take(chunk: Buffer): { fd: string; rest: Buffer } | undefined {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const newline = this.buffered.indexOf(0x0a);
    if (newline === -1) {
      if (this.buffered.length > MAX_HEADER) throw this.badHeader();
      return undefined;
    }
    if (newline > MAX_HEADER) throw this.badHeader();
    const fd = this.buffered.subarray(0, newline).toString("utf8");
    const rest = this.buffered.subarray(newline + 1);
    this.buffered = Buffer.alloc(0);
    return { fd, rest };
  }

  badHeader(): InvalidArgumentError {
    return new InvalidArgumentError(
      `${this.method}: the stream must start with the file descriptor from open() and a newline ("<fd>\\n")`,
    );
  }
}

/** Where an upload's bytes go. */
export interface UploadSink {
  write(bytes: Buffer): Promise<void>;
  /** Called once all bytes are written; the driver's side of the stream ends after it. */
  finish(): Promise<void>;
  fail(error: Error): void;
}

/** An upload: header, then bytes handed to the sink the fd names. */
export class UploadStream extends Duplex {
  private readonly header: HeaderReader;
  private sink: UploadSink | undefined;
  private completed = false;

  constructor(
    private readonly attach: (fd: string) => UploadSink,
    method = "file_write_stream",
  ) {
    super({ allowHalfOpen: true });
    this.header = new HeaderReader(method);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    void this.consume(chunk).then(
      () => callback(),
      (error: Error) => {
        this.sink?.fail(error);
        callback(error);
      },
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.sink) {
      callback(this.header.badHeader());
      return;
    }
    this.sink.finish().then(
      () => {
        this.completed = true;
        this.push(null);
        callback();
      },
      (error: Error) => {
        this.sink?.fail(error);
        callback(error);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.completed) this.sink?.fail(error ?? new Error("the upload was cut off before its end"));
    callback(error);
  }

  private async consume(chunk: Buffer): Promise<void> {
    let bytes = chunk;
    if (!this.sink) {
      const parsed = this.header.take(chunk);
      if (!parsed) return;
      this.sink = this.attach(parsed.fd);
      bytes = parsed.rest;
    }
    if (bytes.length > 0) await this.sink.write(bytes);
  }
}

/** A download: once the header names the fd, the file's bytes are pushed with backpressure. */
export class DownloadStream extends Duplex {
  private readonly header: HeaderReader;
  private source: AsyncIterator<Uint8Array> | undefined;
  private pulling = false;
  private wanted = false;

  constructor(
    private readonly attach: (fd: string) => AsyncIterable<Uint8Array>,
    method = "file_read_stream",
  ) {
    super({ allowHalfOpen: true });
    this.header = new HeaderReader(method);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.source) {
      callback();
      return;
    }
    try {
      const parsed = this.header.take(chunk);
      if (parsed) {
        this.source = this.attach(parsed.fd)[Symbol.asyncIterator]();
        if (this.wanted) void this.pull();
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback(this.source ? null : this.header.badHeader());
  }

  override _read(): void {
    this.wanted = true;
    if (this.source) void this.pull();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    void this.source?.return?.();
    callback(error);
  }

  /** Pushes chunks until the reader wants no more or the file ends. */
  private async pull(): Promise<void> {
    if (this.pulling || !this.source) return;
    this.pulling = true;
    try {
      while (this.wanted && !this.destroyed) {
        const next = await this.source.next();
        if (next.done) {
          this.push(null);
          return;
        }
        this.wanted = this.push(next.value);
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.pulling = false;
    }
  }
}
