import { Duplex } from "node:stream";
import { DriverError, messageOf, UnknownError } from "../core/errors.ts";

/**
 * What a driver's byte stream failed with, as the typed error a gRPC client gets for it: the
 * router service sends a DriverError's status and code, anything else as UNKNOWN.
 */
export function streamError(error: unknown): DriverError {
  return error instanceof DriverError ? error : new UnknownError(messageOf(error), { cause: error });
}

/**
 * A driver's byte stream as the session hands it out: the same bytes both ways, with backpressure,
 * and its failures as typed driver errors (`streamError`), so an in-process client sees the
 * class and code a gRPC client sees for the same failure.
 */
export class DriverStream extends Duplex {
  private readonly inner: Duplex;

  constructor(inner: Duplex) {
    super({ allowHalfOpen: inner.allowHalfOpen });
    this.inner = inner;
    inner.on("data", (chunk: Buffer | string) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.on("end", () => this.push(null));
    inner.on("error", (error: Error) => this.destroy(streamError(error)));
    // Closed without an error and before its output ended (destroyed): so is this stream.
    inner.on("close", () => {
      if (!inner.readableEnded && !this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.inner.write(chunk, encoding, (error) => callback(error ? streamError(error) : null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}
