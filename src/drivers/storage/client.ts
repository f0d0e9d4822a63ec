import { createReadStream, createWriteStream } from "node:fs";
import { stat as localStat } from "node:fs/promises";
import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { DriverClient, registerClient } from "../../client/client.ts";
import { DutkitError, InvalidArgumentError } from "../../core/errors.ts";
import type { StorageStat } from "./storage.ts";

export type { StorageStat };

/** Bytes, or a local file to send. */
export type UploadSource = Uint8Array | string;

/**
 * Client of a storage driver (Jumpstarter's `OpendalClient`): whole-file helpers over
 * open / byte stream / file_close, so uploads and downloads work the same in-process and over
 * gRPC.
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
    return (await this.call("stat", path)) as unknown as StorageStat;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.call("exists", path)) === true;
  }

  async hash(path: string, algorithm: "sha256" | "md5" = "sha256"): Promise<string> {
    return (await this.call("hash", path, algorithm)) as string;
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
    return (await this.call("get_created_resources")) as string[];
  }

  private async collect(method: string, path: string): Promise<string[]> {
    const entries: string[] = [];
    for await (const entry of this.streamingCall(method, path)) entries.push(String(entry));
    return entries;
  }

  /** open "wb", stream the bytes after the fd header, wait for the driver to have them all, file_close. */
  private async upload(path: string, source: Readable): Promise<void> {
    const fd = String(await this.call("open", path, "wb"));
    let streamError: unknown;
    try {
      const stream = await this.byteStream("file_write_stream");
      const done = finished(stream);
      // Awaited below, unless the pipeline fails first; then its rejection is not news.
      done.catch(() => {});
      stream.resume();
      stream.write(`${fd}\n`);
      await pipeline(source, stream);
      await done;
    } catch (error) {
      streamError = error;
    }
    // file_close reports a failed upload with the driver's reason, and drops the partial file.
    await this.call("file_close", fd);
    if (streamError !== undefined) throw this.transferError("upload to", path, streamError);
  }

  private async download(path: string, consume: (stream: Readable) => Promise<void>): Promise<void> {
    const fd = String(await this.call("open", path, "rb"));
    try {
      const stream = await this.byteStream("file_read_stream");
      stream.end(`${fd}\n`);
      await consume(stream);
    } catch (error) {
      throw this.transferError("download of", path, error);
    } finally {
      await this.call("file_close", fd).catch(() => {});
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

registerClient("jumpstarter_driver_opendal.client.OpendalClient", StorageClient);
registerClient("dutkit.StorageClient", StorageClient);
