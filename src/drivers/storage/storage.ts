import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  copyFile,
  type FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import type { Duplex } from "node:stream";
import { Driver, type DriverInit, type MethodTable } from "../../core/driver.ts";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../../core/errors.ts";
import { contentTypeFor, isInside } from "../../http/index.ts";
import { DownloadStream, type UploadSink, UploadStream } from "./fd-streams.ts";
import { listEntries, scanEntries } from "./listing.ts";
import { describePath, entryExists, StoragePaths } from "./storage-paths.ts";

/** Files open at once through `open()`; a test that leaks descriptors hears about it. */
const MAX_OPEN_FILES = 64;

export interface StorageOptions {
  /** Existing directory the storage is rooted at. */
  root: string;
  /** Delete what was written through the storage when it is closed. */
  removeCreatedOnClose: boolean;
  init?: DriverInit;
}

/** What `stat` answers, in OpenDAL's shape. */
export interface StorageStat {
  content_length: number;
  content_type: string | null;
  content_disposition: null;
  content_md5: null;
  etag: string;
  last_modified: string;
  mode: { is_file: boolean; is_dir: boolean };
}

interface OpenFile {
  mode: "rb" | "wb";
  path: string;
  relativePath: string;
  handle: FileHandle;
  /** Upload: the temporary file renamed into place by file_close. */
  temporary?: string;
  streaming: boolean;
  /** Upload: every byte arrived and is on disk. */
  completed: boolean;
  error?: Error;
}

/**
 * Files under a root directory, in the shape of Jumpstarter's OpenDAL driver with the `fs`
 * scheme: open/file_close with byte streams for the contents, stat, exists, hash, list, scan,
 * delete, create_dir, copy, rename, remove_all. Paths follow the TFTP server's rules. Files and
 * directories it creates are recorded (files it overwrites are not: they existed before) and
 * removed on close when asked, deepest first, never outside the root.
 *
 * Uploads land in a temporary file next to the target and are renamed into place by
 * `file_close`, so a board never sees a half-written file.
 */
export class Storage extends Driver {
  static override readonly clientId = "jumpstarter_driver_opendal.client.OpendalClient";
  static override readonly dutkitClientId = "dutkit.StorageClient";
  static override readonly methods: MethodTable = {
    open: { kind: "unary", description: 'Open a file: (path, mode "rb" | "wb") → file descriptor' },
    file_close: { kind: "unary", description: "Close a file descriptor; an upload is put in place here" },
    file_write_stream: { kind: "bytes", description: "Upload: send `<fd>\\n`, then the file's bytes" },
    file_read_stream: { kind: "bytes", description: "Download: send `<fd>\\n`, receive the file's bytes" },
    stat: { kind: "unary", description: "Size, type, times and mode of a path" },
    exists: { kind: "unary", description: "Whether a path exists" },
    hash: { kind: "unary", description: 'Hex digest of a file: (path, "sha256" | "md5")' },
    list: { kind: "stream", description: "Entries of a directory (directories end with /)" },
    scan: { kind: "stream", description: "Entries below a directory, recursively" },
    delete: { kind: "unary", description: "Delete a file or an empty directory (missing is fine)" },
    remove_all: { kind: "unary", description: "Delete a directory and everything below it" },
    create_dir: { kind: "unary", description: "Create a directory and its parents" },
    copy: { kind: "unary", description: "Copy a file: (source, target)" },
    rename: { kind: "unary", description: "Rename a file: (source, target)" },
    get_created_resources: { kind: "unary", description: "Paths written through this storage" },
    register_path: { kind: "unary", description: "Record a path to delete on close" },
  };

  readonly root: string;
  private readonly paths: StoragePaths;
  private readonly removeCreatedOnClose: boolean;
  private readonly files = new Map<string, OpenFile>();
  private readonly created = new Set<string>();
  private closed = false;

  private constructor(realRoot: string, options: StorageOptions) {
    super(options.init);
    this.root = realRoot;
    this.paths = new StoragePaths(realRoot);
    this.removeCreatedOnClose = options.removeCreatedOnClose;
  }

  /** Creates the root directory if needed, then the driver. */
  static async create(options: StorageOptions): Promise<Storage> {
    await mkdir(options.root, { recursive: true });
    return new Storage(await realpath(options.root), options);
  }

  async open(path: unknown, mode: unknown = "rb"): Promise<string> {
    this.checkOpen("open");
    if (mode !== "rb" && mode !== "wb") {
      throw new InvalidArgumentError(
        `open(${describePath(path)}): mode must be "rb" or "wb", got ${describePath(mode)}`,
      );
    }
    if (this.files.size >= MAX_OPEN_FILES) {
      throw new FailedPreconditionError(
        `open(${describePath(path)}): ${MAX_OPEN_FILES} files are already open; close them with file_close`,
      );
    }
    const relativePath = this.paths.relative("open", path);
    const fd = randomUUID();
    if (mode === "rb") {
      const resolved = await this.paths.existing("open", relativePath);
      const handle = await open(resolved, "r");
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new InvalidArgumentError(`open(${describePath(path)}): not a file`);
      }
      this.files.set(fd, { mode, path: resolved, relativePath, handle, streaming: false, completed: false });
      return fd;
    }
    const target = await this.paths.writable("open", relativePath);
    await this.makeParents(target);
    const temporary = join(dirname(target), `.${basename(target)}.${fd.slice(0, 8)}.part`);
    const handle = await open(temporary, "wx", 0o644);
    this.files.set(fd, {
      mode,
      path: target,
      relativePath,
      handle,
      temporary,
      streaming: false,
      completed: false,
    });
    return fd;
  }

  async file_close(fd: unknown): Promise<void> {
    const file = this.files.get(String(fd));
    if (!file) throw this.unknownFd("file_close", fd);
    this.files.delete(String(fd));
    await file.handle.close();
    if (file.mode === "rb") return;
    if (file.streaming && !file.completed) file.error ??= new Error("the upload stream ended before its end");
    if (file.error) {
      await rm(file.temporary!, { force: true });
      throw new FailedPreconditionError(
        `upload of ${describePath(file.relativePath)} failed: ${file.error.message}; nothing was written`,
      );
    }
    const existed = await entryExists(file.path);
    await rename(file.temporary!, file.path);
    if (!existed) this.created.add(file.relativePath);
  }

  file_write_stream(): Duplex {
    this.checkOpen("file_write_stream");
    return new UploadStream((fd) => {
      const file = this.streamTarget("file_write_stream", fd, "wb");
      let position = 0;
      const sink: UploadSink = {
        write: async (bytes) => {
          await file.handle.write(bytes, 0, bytes.length, position);
          position += bytes.length;
        },
        finish: async () => {
          await file.handle.sync();
          file.completed = true;
        },
        fail: (error) => {
          file.error ??= error;
        },
      };
      return sink;
    });
  }

  file_read_stream(): Duplex {
    this.checkOpen("file_read_stream");
    return new DownloadStream((fd) => {
      const file = this.streamTarget("file_read_stream", fd, "rb");
      return file.handle.createReadStream({ start: 0, autoClose: false });
    });
  }

  async stat(path: unknown): Promise<StorageStat> {
    const relativePath = this.paths.relative("stat", path);
    const info = await stat(await this.paths.existing("stat", relativePath));
    return {
      content_length: info.isFile() ? info.size : 0,
      content_type: info.isFile() ? contentTypeFor(relativePath) : null,
      content_disposition: null,
      content_md5: null,
      etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
      last_modified: info.mtime.toISOString(),
      mode: { is_file: info.isFile(), is_dir: info.isDirectory() },
    };
  }

  async exists(path: unknown): Promise<boolean> {
    try {
      await this.paths.existing("exists", this.paths.relative("exists", path));
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  async hash(path: unknown, algorithm: unknown = "sha256"): Promise<string> {
    if (algorithm !== "sha256" && algorithm !== "md5") {
      throw new InvalidArgumentError(
        `hash: algorithm must be "sha256" or "md5", got ${describePath(algorithm)}`,
      );
    }
    const resolved = await this.paths.existing("hash", this.paths.relative("hash", path));
    const digest = createHash(algorithm);
    for await (const chunk of createReadStream(resolved)) digest.update(chunk as Buffer);
    return digest.digest("hex");
  }

  async *list(path: unknown = "/"): AsyncGenerator<string> {
    const relativePath = this.paths.relative("list", path);
    yield* listEntries(await this.paths.existing("list", relativePath), relativePath);
  }

  async *scan(path: unknown = "/"): AsyncGenerator<string> {
    const relativePath = this.paths.relative("scan", path);
    await this.paths.existing("scan", relativePath);
    yield* scanEntries(this.root, relativePath);
  }

  async delete(path: unknown): Promise<void> {
    const relativePath = this.paths.relative("delete", path);
    if (relativePath === "") throw new InvalidArgumentError("delete: the storage root cannot be deleted");
    const target = join(this.root, relativePath);
    const info = await lstat(target).catch(() => undefined);
    if (!info) return;
    await this.paths.writable("delete", relativePath);
    if (info.isDirectory()) {
      await rmdir(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOTEMPTY") {
          throw new FailedPreconditionError(
            `delete(${describePath(path)}): the directory is not empty; use remove_all to delete it with its contents`,
          );
        }
        throw error;
      });
    } else {
      await unlink(target);
    }
    this.created.delete(relativePath);
  }

  async remove_all(path: unknown): Promise<void> {
    const relativePath = this.paths.relative("remove_all", path);
    const directory = await this.paths.existing("remove_all", relativePath).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!directory) return;
    if (relativePath === "") {
      for (const entry of await readdir(directory)) await rm(join(directory, entry), { recursive: true });
    } else {
      await rm(join(this.root, relativePath), { recursive: true });
    }
    for (const created of this.created) {
      if (relativePath === "" || created === relativePath || created.startsWith(`${relativePath}/`)) {
        this.created.delete(created);
      }
    }
  }

  async create_dir(path: unknown): Promise<void> {
    const relativePath = this.paths.relative("create_dir", path);
    if (relativePath === "") return;
    const target = await this.paths.writable("create_dir", relativePath);
    // The directory itself is recorded when it is new, like the parents of a file.
    await this.makeParents(join(target, "entry"));
  }

  async copy(source: unknown, target: unknown): Promise<void> {
    const from = await this.paths.existing("copy", this.paths.relative("copy", source));
    const targetPath = this.paths.relative("copy", target);
    const to = await this.paths.writable("copy", targetPath);
    await this.makeParents(to);
    const existed = await entryExists(to);
    await copyFile(from, to);
    if (!existed) this.created.add(targetPath);
  }

  async rename(source: unknown, target: unknown): Promise<void> {
    const sourcePath = this.paths.relative("rename", source);
    const from = await this.paths.existing("rename", sourcePath);
    const targetPath = this.paths.relative("rename", target);
    const to = await this.paths.writable("rename", targetPath);
    await this.makeParents(to);
    const existed = await entryExists(to);
    await rename(from, to);
    this.created.delete(sourcePath);
    if (!existed) this.created.add(targetPath);
  }

  get_created_resources(): string[] {
    return [...this.created];
  }

  register_path(path: unknown): void {
    this.created.add(this.paths.relative("register_path", path));
  }

  /** Closes open files (dropping unfinished uploads), then removes what was created, deepest first. */
  override async close(): Promise<void> {
    this.closed = true;
    for (const [fd, file] of this.files) {
      this.files.delete(fd);
      await file.handle.close().catch(() => {});
      if (file.temporary) await rm(file.temporary, { force: true });
    }
    if (!this.removeCreatedOnClose) return;
    const depth = (path: string) => path.split("/").length;
    const paths = [...this.created].sort((a, b) => depth(b) - depth(a) || b.localeCompare(a));
    for (const relativePath of paths) await this.removeCreated(relativePath);
    this.created.clear();
  }

  private async removeCreated(relativePath: string): Promise<void> {
    const target = join(this.root, relativePath);
    try {
      if (!isInside(this.root, await realpath(dirname(target)))) return;
      const info = await lstat(target);
      if (info.isDirectory()) await rmdir(target);
      else await unlink(target);
    } catch {
      // Already gone, or a directory someone else filled: left in place.
    }
  }

  /** Directories between the root and `target` that do not exist yet, created and recorded. */
  private async makeParents(target: string): Promise<void> {
    const parent = dirname(target);
    const first = await mkdir(parent, { recursive: true });
    if (first === undefined) return;
    let directory = parent;
    for (let step = 0; step < 256 && isInside(first, directory); step++) {
      this.created.add(relative(this.root, directory).split(sep).join("/"));
      if (directory === first) break;
      directory = dirname(directory);
    }
  }

  private streamTarget(method: string, fd: string, mode: "rb" | "wb"): OpenFile {
    const file = this.files.get(fd);
    if (!file) throw this.unknownFd(method, fd);
    if (file.mode !== mode) {
      throw new InvalidArgumentError(
        `${method}: file descriptor ${fd} was opened "${file.mode}", not "${mode}"`,
      );
    }
    if (file.streaming) {
      throw new FailedPreconditionError(`${method}: file descriptor ${fd} already has a stream`);
    }
    file.streaming = true;
    return file;
  }

  private unknownFd(method: string, fd: unknown): NotFoundError {
    return new NotFoundError(
      `${method}: unknown file descriptor ${describePath(fd)}; open the file first (or it was already closed)`,
    );
  }

  private checkOpen(method: string): void {
    if (this.closed)
      throw new FailedPreconditionError(`${method}: the storage is closed; open a new session`);
  }
}
