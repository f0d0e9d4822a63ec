/**
 * The file descriptors of a storage driver: what `open()` returned, and the byte transfers of
 * `file_write` / `file_read` between an open file and a resource stream (spec 2.7).
 */
import { randomUUID } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import type { Duplex } from "node:stream";
import {
  DriverError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  messageOf,
  NotFoundError,
  UnavailableError,
} from "../../core/errors.ts";
import { describePath } from "./storage-paths.ts";

/** Files open at once through `open()`; a test that leaks descriptors hears about it. */
export const MAX_OPEN_FILES = 64;
/** Closed descriptors remembered, so `file_closed` can still answer true for them. */
const REMEMBERED_CLOSED = 1024;
/** A download's read size: one RouterService frame's worth (MAX_FRAME_PAYLOAD). */
const CHUNK = 256 * 1024;

export interface OpenFile {
  mode: "rb" | "wb";
  /** Absolute path of the file (for an upload: where it goes once complete). */
  path: string;
  relativePath: string;
  handle: FileHandle;
  /** Where the next read or write happens. */
  position: number;
  /** A file_write or file_read is running. */
  busy: boolean;
  /** Upload: the temporary file renamed into place by file_close. */
  temporary?: string;
  /** Upload: directories open() created for it, outermost first; removed again if it fails. */
  madeDirs: string[];
  /** Upload: a file_write ran to its end. */
  written: boolean;
  /** Upload: why it failed; file_close then discards it. */
  error?: Error;
}

export class FileTable {
  private readonly files = new Map<string, OpenFile>();
  private readonly closed = new Set<string>();

  get size(): number {
    return this.files.size;
  }

  add(file: OpenFile): string {
    const fd = randomUUID();
    this.files.set(fd, file);
    return fd;
  }

  /** The open file behind `fd`; a closed or unknown one is refused with what to do. */
  get(method: string, fd: unknown): OpenFile {
    const file = this.files.get(String(fd));
    if (file) return file;
    if (this.closed.has(String(fd))) {
      throw new FailedPreconditionError(
        `${method}: file descriptor ${String(fd)} is closed; open the file again`,
      );
    }
    throw unknownFd(method, fd);
  }

  /** The open file, or undefined once closed; unknown descriptors are refused. */
  lookup(method: string, fd: unknown): OpenFile | undefined {
    const file = this.files.get(String(fd));
    if (file || this.closed.has(String(fd))) return file;
    throw unknownFd(method, fd);
  }

  /** Forgets the open file; file_closed answers true for it from now on. */
  close(fd: unknown): void {
    this.files.delete(String(fd));
    this.closed.add(String(fd));
    if (this.closed.size > REMEMBERED_CLOSED) {
      const oldest = this.closed.values().next().value;
      if (oldest !== undefined) this.closed.delete(oldest);
    }
  }

  /** Removes and returns every open file. */
  drain(): OpenFile[] {
    const all = [...this.files.values()];
    this.files.clear();
    return all;
  }
}

function unknownFd(method: string, fd: unknown): NotFoundError {
  return new NotFoundError(
    `${method}: unknown file descriptor ${describePath(fd)}; open the file first with open(path, mode)`,
  );
}

/** Checks mode and that no other transfer runs on the file, then marks it busy. */
export function startTransfer(method: string, fd: unknown, file: OpenFile, mode: "rb" | "wb"): void {
  if (file.mode !== mode) {
    throw new InvalidArgumentError(
      `${method}: file descriptor ${String(fd)} was opened "${file.mode}"; ${method} needs a file opened "${mode}"`,
    );
  }
  if (file.busy) {
    throw new FailedPreconditionError(
      `${method}: a transfer is already running on file descriptor ${String(fd)}; wait for it to finish`,
    );
  }
  if (file.error) {
    throw new FailedPreconditionError(
      `${method}: the upload to ${describePath(file.relativePath)} already failed (${file.error.message}); close it and open the file again`,
    );
  }
  file.busy = true;
}

/** The failure of a transfer as a driver error: its own class when it has one, with the file named. */
function transferFailure(what: string, file: OpenFile, error: unknown): DriverError {
  const message = `${what} ${describePath(file.relativePath)} failed: ${messageOf(error)}`;
  if (error instanceof DriverError) {
    const Class = error.constructor as new (message: string, options?: ErrorOptions) => DriverError;
    return new Class(message, { cause: error });
  }
  return new InternalError(message, { cause: error });
}

/** What an upload takes from its stream before it stops reading until the file write ran. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Reads `source` to its end and hands `write` every chunk that arrived while the previous write
 * ran, as they came (no concatenation). Rejects with the stream's error, or when it closes
 * before its end; `source` is left open (not destroyed) at its end.
 */
function writeInBatches(source: Duplex, write: (chunks: Buffer[], bytes: number) => Promise<void>) {
  return new Promise<void>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let bytes = 0;
    let writing = false;
    let ended = false;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", settle);
      source.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const pump = () => {
      if (writing || settled) return;
      if (chunks.length === 0) {
        if (ended) settle();
        return;
      }
      const batch = chunks;
      const size = bytes;
      chunks = [];
      bytes = 0;
      writing = true;
      if (!ended) source.resume();
      write(batch, size).then(() => {
        writing = false;
        pump();
      }, settle);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= WRITE_BATCH_BYTES) source.pause();
      pump();
    };
    const onEnd = () => {
      ended = true;
      pump();
    };
    const onClose = () => {
      if (!ended)
        settle(new UnavailableError("the client closed the resource stream before the end of its data"));
    };
    source.on("data", onData);
    source.once("end", onEnd);
    source.once("error", settle);
    source.once("close", onClose);
  });
}

/** Writes all of `chunks` at `position`; writev may write less than asked (a full disk, a signal). */
async function writeAll(
  handle: FileHandle,
  chunks: Buffer[],
  bytes: number,
  position: number,
): Promise<void> {
  const { bytesWritten } = await handle.writev(chunks, position);
  if (bytesWritten === bytes) return;
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  // Each round writes at least one byte or throws, so rest.length rounds are enough.
  for (let done = 0, round = 0; done < rest.length && round < rest.length; round++) {
    const wrote = await handle.write(rest, done, rest.length - done, position + bytesWritten + done);
    if (wrote.bytesWritten === 0) throw new InternalError("the file system took no more bytes");
    done += wrote.bytesWritten;
  }
}

/** file_write: every byte of `source` into the file at its position; the source is ended after. */
export async function writeFrom(file: OpenFile, source: Duplex): Promise<void> {
  try {
    // Not destroyed at its end: the driver's side ends after the last byte is on disk.
    await writeInBatches(source, async (chunks, bytes) => {
      await writeAll(file.handle, chunks, bytes, file.position);
      file.position += bytes;
    });
    await file.handle.sync();
    file.written = true;
    source.end();
  } catch (error) {
    file.error ??= error instanceof Error ? error : new Error(String(error));
    source.destroy(file.error);
    throw transferFailure("upload to", file, error);
  } finally {
    file.busy = false;
  }
}

/** Resolves when `sink` takes more; rejects if it is destroyed first. */
function drained(sink: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      sink.off("drain", settle);
      sink.off("close", settle);
      sink.off("error", settle);
      if (sink.destroyed) {
        reject(
          error ?? new UnavailableError("the client closed the resource stream before the end of the file"),
        );
      } else resolve();
    };
    sink.on("drain", settle);
    sink.on("close", settle);
    sink.on("error", settle);
  });
}

/** file_read: the file from its position to its end into `sink`, which is ended after. */
export async function readInto(file: OpenFile, sink: Duplex): Promise<void> {
  // Nothing is expected from the client on a download; whatever comes is dropped.
  sink.resume();
  try {
    for (let round = 0; round < Number.MAX_SAFE_INTEGER; round++) {
      if (sink.destroyed) {
        throw new UnavailableError("the client closed the resource stream before the end of the file");
      }
      // A buffer per read: the sink keeps what it was given until it is sent.
      const buffer = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await file.handle.read(buffer, 0, CHUNK, file.position);
      if (bytesRead === 0) break;
      file.position += bytesRead;
      if (!sink.write(bytesRead === CHUNK ? buffer : buffer.subarray(0, bytesRead))) await drained(sink);
    }
    await new Promise<void>((resolve, reject) => {
      sink.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    sink.destroy(error instanceof Error ? error : new Error(String(error)));
    throw transferFailure("download of", file, error);
  } finally {
    file.busy = false;
  }
}
