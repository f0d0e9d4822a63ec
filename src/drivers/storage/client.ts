import { createReadStream, createWriteStream } from "node:fs";
import { stat as localStat } from "node:fs/promises";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { DriverClient, registerClient } from "../../client/client.ts";
import { checkResult } from "../../core/contract.ts";
import { DutkitError, InvalidArgumentError } from "../../core/errors.ts";
import type { OpenedResource } from "../../core/resource.ts";
import { StorageEntries, StorageStat } from "./contract.ts";

/** Bytes, or a local file to send. */
export type UploadSource = Uint8Array | string;

/**
 * Client of a storage driver (Jumpstarter's `OpendalClient`): whole-file helpers over open,
 * a resource stream with file_write / file_read, and file_close, the calls Jumpstarter's client
 * makes, so they work the same in-process, over gRPC, and against a Jumpstarter exporter.
 */
export class StorageClient extends DriverClient {
  /** Writes `data` (bytes or text) to `path`; parent directories are created. */
  async writeBytes(path: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    await this.upload(path, Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
  }

  /** Streams the local file `source` to `path` (Jumpstarter's `write_from_path`). */
  async writeFromPath(path: string, source: string): Promise<void> {
    const info = await localStat(source).catch((error: unknown) => {
      throw new InvalidArgumentError(
        `${this.path}.writeFromPath(${JSON.stringify(path)}): cannot read local file ${source} (${(error as Error).message})`,
      );
    });
    if (!info.isFile()) {
      throw new InvalidArgumentError(
        `${this.path}.writeFromPath(${JSON.stringify(path)}): ${source} is not a regular file`,
      );
    }
    await this.upload(path, createReadStream(source));
  }

  /** Writes bytes (a Buffer or Uint8Array) or a local file (a path string) to `path`. */
  async writeFile(path: string, source: UploadSource): Promise<void> {
    if (typeof source === "string") await this.writeFromPath(path, source);
    else await this.writeBytes(path, source);
  }

  /** The whole file at `path`. */
  async readBytes(path: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await this.download(path, async (stream) => {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    });
    return Buffer.concat(chunks);
  }

  /** Copies the file at `path` to the local file `target`. */
  async readIntoPath(path: string, target: string): Promise<void> {
    await this.download(path, (stream) => pipeline(stream, createWriteStream(target)));
  }

  async stat(path: string): Promise<StorageStat> {
    return checkResult(StorageStat, await this.call("stat", path), this.path, "stat");
  }

  async exists(path: string): Promise<boolean> {
    return (await this.call("exists", path)) === true;
  }

  async hash(path: string, algorithm: "sha256" | "md5" = "sha256"): Promise<string> {
    return checkResult(z.string(), await this.call("hash", path, algorithm), this.path, "hash");
  }

  /** Entries of a directory (default: the root); directories end with `/`. */
  async list(path = "/"): Promise<string[]> {
    return this.collect("list", path);
  }

  /** Every entry below a directory (default: the root). */
  async scan(path = "/"): Promise<string[]> {
    return this.collect("scan", path);
  }

  /** Deletes a file or an empty directory; a missing path is fine. */
  async delete(path: string): Promise<void> {
    await this.call("delete", path);
  }

  async removeAll(path: string): Promise<void> {
    await this.call("remove_all", path);
  }

  async createDir(path: string): Promise<void> {
    await this.call("create_dir", path);
  }

  async copy(source: string, target: string): Promise<void> {
    await this.call("copy", source, target);
  }

  async rename(source: string, target: string): Promise<void> {
    await this.call("rename", source, target);
  }

  /** Paths this storage created, which it removes on close when configured to. */
  async createdResources(): Promise<string[]> {
    return checkResult(
      StorageEntries,
      await this.call("get_created_resources"),
      this.path,
      "get_created_resources",
    );
  }

  private async collect(method: string, path: string): Promise<string[]> {
    const entries: string[] = [];
    for await (const entry of this.streamingCall(method, path)) entries.push(String(entry));
    return entries;
  }

  /**
   * open "wb", then file_write with a resource handle while the bytes go through the resource
   * stream (as Jumpstarter's client does), then file_close, which puts a complete upload in place.
   */
  private async upload(path: string, source: Readable): Promise<void> {
    const fd = String(await this.call("open", path, "wb"));
    let failure: unknown;
    try {
      const { handle, stream } = await this.openResource("file_write");
      // The driver ends its side once it has every byte; nothing else comes back. Failures
      // arrive through the two promises below.
      stream.on("error", () => {});
      stream.resume();
      const sending = pump(source, stream);
      const writing = this.call("file_write", fd, handle);
      // Whichever fails first takes the other down, so neither waits on a dead peer; the first
      // failure is the reason.
      writing.catch((error: unknown) => {
        failure ??= error;
        source.destroy();
        stream.destroy(error instanceof Error ? error : undefined);
      });
      sending.catch((error: unknown) => {
        failure ??= error;
        stream.destroy(error instanceof Error ? error : undefined);
      });
      await Promise.allSettled([sending, writing]);
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) {
      await this.call("file_close", fd);
      return;
    }
    // file_close discards what arrived; its own complaint about that is not news.
    await this.call("file_close", fd).catch(() => {});
    throw this.transferError("upload to", path, failure);
  }

  /** open "rb", then file_read with a resource handle while `consume` takes the bytes, then file_close. */
  private async download(path: string, consume: (stream: Readable) => Promise<void>): Promise<void> {
    const fd = String(await this.call("open", path, "rb"));
    try {
      const { handle, stream } = await this.openResource("file_read");
      // Nothing to send on a download. Failures arrive through the two promises below.
      stream.on("error", () => {});
      stream.end();
      const consuming = consume(stream);
      const reading = this.call("file_read", fd, handle);
      reading.catch((error: unknown) => stream.destroy(error instanceof Error ? error : undefined));
      consuming.catch(() => stream.destroy());
      const [consumed, read] = await Promise.allSettled([consuming, reading]);
      if (read.status === "rejected") throw read.reason;
      if (consumed.status === "rejected") throw consumed.reason;
    } catch (error) {
      throw this.transferError("download of", path, error);
    } finally {
      await this.call("file_close", fd).catch(() => {});
    }
  }

  /** A resource stream to this driver, for the call named (spec 2.7); no content encoding. */
  private async openResource(method: string): Promise<OpenedResource> {
    try {
      return await this.transport.resource(this.uuid, null);
    } catch (error) {
      throw new DutkitError(
        "ERR_DUTKIT_STORAGE_TRANSFER",
        `${this.path}: the resource stream for ${method} could not be opened: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private transferError(what: string, path: string, error: unknown): DutkitError {
    const message = error instanceof Error ? error.message : String(error);
    return new DutkitError(
      "ERR_DUTKIT_STORAGE_TRANSFER",
      `${this.path}: ${what} ${JSON.stringify(path)} failed: ${message}`,
      { cause: error },
    );
  }
}

/** Writes `source` into `sink` with backpressure, then ends it; fails if either side fails. */
async function pump(source: Readable, sink: Writable): Promise<void> {
  await pipeline(
    source,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (sink.destroyed) {
          callback(new Error("the resource stream closed before the upload's end"));
          return;
        }
        if (sink.write(chunk)) callback();
        else {
          const settle = () => {
            sink.off("drain", settle);
            sink.off("close", settle);
            callback(sink.destroyed ? new Error("the resource stream closed before the upload's end") : null);
          };
          sink.on("drain", settle);
          sink.on("close", settle);
        }
      },
      final(callback) {
        sink.end(callback);
      },
    }),
  );
}

registerClient("jumpstarter_driver_opendal.client.OpendalClient", StorageClient);
registerClient("dutkit.StorageClient", StorageClient);
