/**
 * Resources (spec 2.7): a byte pipe between a client and one driver, opened by a
 * RouterService.Stream whose request says `"kind": "resource"`. The exporter answers with a
 * handle, the client passes the handle as an argument of a driver call (such as
 * `file_write(fd, handle)`), and the driver reads or writes its end of the pipe while the client
 * pumps the other end.
 */
import { randomUUID } from "node:crypto";
import { Duplex } from "node:stream";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from "./errors.ts";

/** The handle of a pipe to the client, as Jumpstarter's `ClientStreamResource` has it. */
export interface ClientStreamHandle {
  kind: "client_stream";
  uuid: string;
  x_jmp_content_encoding: string | null;
}

/** What opening a resource gives the client: its end of the pipe and the handle to pass on. */
export interface OpenedResource {
  handle: ClientStreamHandle;
  stream: Duplex;
  /** The content encoding the exporter takes as it is; null: the client decodes before sending. */
  acceptEncoding: string | null;
}

/**
 * Content encodings this exporter takes undecoded. None: the client then decodes (and encodes)
 * locally, as Jumpstarter's client does against an exporter that does not accept one.
 */
export const ACCEPTED_CONTENT_ENCODINGS: ReadonlySet<string> = new Set();

/** Resources opened but not yet taken by a driver call; a client that never uses one leaks it. */
const MAX_PENDING_RESOURCES = 64;

/**
 * One end of an in-memory pipe. Writes are the peer's reads, with backpressure. Ending the write
 * side ends the peer's read side. Destroying an end before it ended its writing destroys the
 * peer with an error, so a cut-off transfer is never mistaken for a complete one.
 */
/**
 * What a pipe end buffers before it pushes back. A reader that is busy (a file write, a network
 * send) then finds many chunks waiting and takes them as one, so a 64 KiB-per-frame upload
 * costs a few large file writes rather than a write per frame.
 */
const PIPE_BUFFER_BYTES = 1024 * 1024;

class PipeEnd extends Duplex {
  peer!: PipeEnd;
  private waiting: ((error?: Error | null) => void) | undefined;

  constructor(private readonly side: string) {
    super({ allowHalfOpen: true, highWaterMark: PIPE_BUFFER_BYTES });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer.destroyed) {
      // The reader is gone: once it finished normally there is no one to tell.
      callback();
      return;
    }
    if (this.peer.push(chunk)) callback();
    else this.waiting = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null);
    callback();
  }

  override _read(): void {
    const waiting = this.peer.waiting;
    this.peer.waiting = undefined;
    waiting?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(error ?? new UnavailableError(`the ${this.side} closed the resource stream`));
    this.peer.release();
    if (!this.peer.destroyed && !this.writableFinished) {
      this.peer.destroy(
        error ??
          new UnavailableError(`the ${this.side} closed the resource stream before the end of its data`),
      );
    }
    callback(error);
  }

  /** The peer is gone: a write waiting for it to read is done. */
  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/** Two connected ends: what one writes, the other reads. */
export function pipePair(): { client: Duplex; driver: Duplex } {
  const client = new PipeEnd("client");
  const driver = new PipeEnd("driver");
  client.peer = driver;
  driver.peer = client;
  return { client, driver };
}

/** The resources of one driver: opened by the client's stream, taken by a driver call. */
export class ResourceTable {
  private readonly pending = new Map<string, Duplex>();

  /** Opens a pipe; the driver's end waits under the handle's uuid until a call takes it. */
  open(contentEncoding: string | null): OpenedResource {
    if (this.pending.size >= MAX_PENDING_RESOURCES) {
      throw new FailedPreconditionError(
        `${MAX_PENDING_RESOURCES} resource streams are open and no driver call took them; pass each handle to a call (such as file_write) or close its stream`,
      );
    }
    const accepted = contentEncoding !== null && ACCEPTED_CONTENT_ENCODINGS.has(contentEncoding);
    const uuid = randomUUID();
    const { client, driver } = pipePair();
    this.pending.set(uuid, driver);
    // Until a call takes it, a failure has no one to tell; the call that takes it sees it then.
    driver.on("error", () => {});
    driver.once("close", () => this.pending.delete(uuid));
    return {
      handle: { kind: "client_stream", uuid, x_jmp_content_encoding: accepted ? contentEncoding : null },
      stream: client,
      acceptEncoding: accepted ? contentEncoding : null,
    };
  }

  /** The driver's end of the pipe a handle names; each handle is taken once. */
  take(method: string, handle: unknown): Duplex {
    const fields = (typeof handle === "object" && handle !== null ? handle : {}) as Record<string, unknown>;
    if (fields.kind === "presigned_request") {
      throw new InvalidArgumentError(
        `${method}: presigned request handles (the exporter fetching a URL itself) are not supported by this exporter; open a resource stream and send the bytes through it`,
      );
    }
    if (fields.kind !== "client_stream" || typeof fields.uuid !== "string") {
      throw new InvalidArgumentError(
        `${method}: the handle must be the resource metadata of a RouterService.Stream opened with {"kind":"resource"}, like {"kind":"client_stream","uuid":"…"}; got ${JSON.stringify(handle)}`,
      );
    }
    const stream = this.pending.get(fields.uuid);
    if (!stream) {
      throw new NotFoundError(
        `${method}: no open resource stream ${fields.uuid} on this driver; open the stream first (each handle is used once, and closing the stream drops it)`,
      );
    }
    this.pending.delete(fields.uuid);
    return stream;
  }

  /** Drops every pipe no call took; their clients see the stream end with an error. */
  close(): void {
    for (const stream of this.pending.values()) {
      stream.destroy(new UnavailableError("the driver closed before a call used this resource stream"));
    }
    this.pending.clear();
  }
}
