import { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { UnavailableError } from "../../core/errors.ts";
import type { OpenPort } from "./transports.ts";

export interface ConnectionOptions {
  /** The port as named in messages: device path or URL. */
  name: string;
  /** Write pacing in characters per second; 0 or null: none. */
  cps: number | null;
}

/**
 * One `connect` stream of the serial driver over an open port. Ending the writable side closes
 * the port; a port that goes away (device unplugged, pty's other side gone, server closed)
 * destroys the stream with an error naming the port, and writes after that fail at once.
 */
export class SerialConnection extends Duplex {
  private readonly port: OpenPort;
  private readonly name: string;
  private readonly cps: number;
  private portGone = false;
  private closing = false;
  private innerEnded = false;

  constructor(port: OpenPort, options: ConnectionOptions) {
    super({ allowHalfOpen: false });
    this.port = port;
    this.name = options.name;
    this.cps = options.cps ?? 0;
    const inner = port.stream;
    inner.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.on("end", () => {
      this.innerEnded = true;
      this.push(null);
    });
    inner.on("error", (error: Error) => this.gone(error.message, error));
    // serialport reports a vanished device as `close` with a DisconnectedError.
    inner.on("close", (error?: Error | null) => {
      if (error) this.gone(error.message, error);
      else if (!this.innerEnded) this.gone("the port closed");
    });
  }

  override _read() {
    this.port.stream.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    if (this.portGone || this.port.stream.destroyed) return callback(this.goneError("it is closed"));
    if (this.cps > 0) {
      this.paced(chunk).then(() => callback(), callback);
    } else {
      this.port.stream.write(chunk, (error) => callback(error));
    }
  }

  override _final(callback: (error?: Error | null) => void) {
    this.closing = true;
    this.portGone = true;
    this.port.close().then(() => {
      this.push(null);
      callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.closing = true;
    this.portGone = true;
    this.port.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  /** Writes one character at a time (a few at once when the rate is above the timer's resolution). */
  private async paced(chunk: Buffer): Promise<void> {
    const interval = 1000 / this.cps;
    const start = performance.now();
    let sent = 0;
    while (sent < chunk.length) {
      if (this.portGone) throw this.goneError("it is closed");
      const due = Math.min(chunk.length, Math.floor((performance.now() - start) / interval) + 1);
      if (due > sent) {
        const piece = chunk.subarray(sent, due);
        await new Promise<void>((resolve, reject) =>
          this.port.stream.write(piece, (error) => (error ? reject(error) : resolve())),
        );
        sent = due;
      }
      if (sent < chunk.length) await sleep(Math.max(0, start + sent * interval - performance.now()));
    }
  }

  private gone(reason: string, cause?: Error) {
    if (this.closing) return;
    this.portGone = true;
    this.destroy(this.goneError(`it went away: ${reason}`, cause));
  }

  private goneError(why: string, cause?: Error): UnavailableError {
    return new UnavailableError(
      `serial port ${this.name} cannot be used, ${why}. Check that the device is still connected ` +
        "(or the program or server behind it still runs), then connect again",
      cause ? { cause } : undefined,
    );
  }
}
