import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  copyFile,
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
import { basename, dirname, join } from "node:path";
import type { Duplex } from "node:stream";
import { Driver, type DriverInit, type MethodTable } from "../../core/driver.ts";
import {
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
} from "../../core/errors.ts";
import { contentTypeFor } from "../../http/content-type.ts";
import { presignUnsupported, STORAGE_CAPABILITY, type StorageCapability } from "./capability.ts";
import type { StorageInterface, StorageStat } from "./contract.ts";
import { CreatedPaths, makeParents, removeDirectories } from "./created-paths.ts";
import { listEntries, scanEntries } from "./listing.ts";
import { STORAGE_METHODS } from "./methods.ts";
import {
  FileTable,
  MAX_OPEN_FILES,
  type OpenFile,
  readInto,
  startTransfer,
  writeFrom,
} from "./open-files.ts";
import { describePath, entryExists, StoragePaths } from "./storage-paths.ts";

export interface StorageOptions {
  /** Existing directory the storage is rooted at. */
  root: string;
  /** Delete what was written through the storage when it is closed. */
  removeCreatedOnClose: boolean;
  init?: DriverInit;
}

export type { StorageCapability };

/**
 * Files under a root directory, with the methods of Jumpstarter's Opendal driver with the `fs`
 * scheme: open, file_write/file_read with a resource handle for the contents (spec 2.7),
 * file_seek/tell/close/closed/readable/seekable/writable, stat, exists, hash, list, scan, delete,
 * create_dir, copy, rename, remove_all, capability, presign_* (refused, as for `fs`). Paths
 * follow the TFTP server's rules. Files and
 * directories it creates are recorded (files it overwrites are not: they existed before) and
 * removed on close when asked, deepest first, never outside the root.
 *
 * Uploads land in a temporary file next to the target and are renamed into place by
 * `file_close` once a `file_write` ran to its end, so a board never sees a half-written file;
 * a failed upload leaves nothing: no file, no directory made for it, no record, and a file it
 * would have replaced keeps its content.
 */
export class Storage extends Driver implements StorageInterface {
  static override readonly clientId = "jumpstarter_driver_opendal.client.OpendalClient";
  static override readonly dutkitClientId = "dutkit.StorageClient";
  static override readonly methods: MethodTable = STORAGE_METHODS;

  readonly root: string;
  private readonly paths: StoragePaths;
  private readonly removeCreatedOnClose: boolean;
  private readonly files = new FileTable();
  private readonly created: CreatedPaths;
  private closed = false;

  private constructor(realRoot: string, options: StorageOptions) {
    super(options.init);
    this.root = realRoot;
    this.paths = new StoragePaths(realRoot);
    this.created = new CreatedPaths(realRoot);
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
    if (mode === "rb") {
      const resolved = await this.paths.existing("open", relativePath);
      const handle = await open(resolved, "r");
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new InvalidArgumentError(`open(${describePath(path)}): not a file`);
      }
      return this.files.add({ ...fileDefaults(), mode, path: resolved, relativePath, handle });
    }
    const target = await this.paths.writable("open", relativePath);
    const madeDirs = await makeParents(target);
    const temporary = join(dirname(target), `.${basename(target)}.${randomSuffix()}.part`);
    const handle = await open(temporary, "wx", 0o644).catch(async (error: unknown) => {
      await removeDirectories(madeDirs);
      throw error;
    });
    return this.files.add({
      ...fileDefaults(),
      mode,
      path: target,
      relativePath,
      handle,
      temporary,
      madeDirs,
    });
  }

  /** Writes the bytes of a resource stream (spec 2.7) to a file opened "wb", after what it has. */
  async file_write(fd: unknown, handle: unknown): Promise<void> {
    this.checkOpen("file_write");
    const file = this.files.get("file_write", fd);
    startTransfer("file_write", fd, file, "wb");
    let source: Duplex;
    try {
      source = this.resources.take("file_write", handle);
    } catch (error) {
      file.busy = false;
      throw error;
    }
    try {
      await writeFrom(file, source);
    } catch (error) {
      // The upload can no longer complete: what arrived goes now, not only at file_close.
      await discard(file);
      throw error;
    }
  }

  /** Sends a file opened "rb", from its position to its end, to a resource stream. */
  async file_read(fd: unknown, handle: unknown): Promise<void> {
    this.checkOpen("file_read");
    const file = this.files.get("file_read", fd);
    startTransfer("file_read", fd, file, "rb");
    let sink: Duplex;
    try {
      sink = this.resources.take("file_read", handle);
    } catch (error) {
      file.busy = false;
      throw error;
    }
    await readInto(file, sink);
  }

  async file_seek(fd: unknown, pos: unknown, whence: unknown = 0): Promise<number> {
    const file = this.seekable("file_seek", fd);
    if (typeof pos !== "number" || !Number.isSafeInteger(pos)) {
      throw new InvalidArgumentError(`file_seek: pos must be an integer, got ${describePath(pos)}`);
    }
    if (whence !== 0 && whence !== 1 && whence !== 2) {
      throw new InvalidArgumentError(
        `file_seek: invalid whence ${describePath(whence)}; use 0 (from the start), 1 (from the position) or 2 (from the end)`,
      );
    }
    const base = whence === 0 ? 0 : whence === 1 ? file.position : (await file.handle.stat()).size;
    if (base + pos < 0) {
      throw new InvalidArgumentError(`file_seek: invalid seek to a negative position (${base + pos})`);
    }
    file.position = base + pos;
    return file.position;
  }

  file_tell(fd: unknown): number {
    return this.seekable("file_tell", fd).position;
  }

  file_closed(fd: unknown): boolean {
    return this.files.lookup("file_closed", fd) === undefined;
  }

  file_readable(fd: unknown): boolean {
    return this.files.lookup("file_readable", fd)?.mode === "rb";
  }

  file_seekable(fd: unknown): boolean {
    return this.files.lookup("file_seekable", fd)?.mode === "rb";
  }

  file_writable(fd: unknown): boolean {
    return this.files.lookup("file_writable", fd)?.mode === "wb";
  }

  /**
   * Closes a file descriptor (again: nothing happens). An upload is put in place only if a
   * file_write ran to its end; otherwise it is discarded, and the reason is the error.
   */
  async file_close(fd: unknown): Promise<void> {
    const file = this.files.lookup("file_close", fd);
    if (!file) return;
    this.files.close(fd);
    if (file.busy) file.error ??= new Error("file_close came while a transfer was still running");
    await file.handle.close();
    if (file.mode === "rb") return;
    if (file.error || !file.written) {
      await discard(file);
      const reason = file.error?.message ?? "no file_write ran to its end on this file descriptor";
      throw new FailedPreconditionError(
        `upload of ${describePath(file.relativePath)} failed: ${reason}; nothing was written`,
      );
    }
    const existed = await entryExists(file.path);
    await rename(file.temporary!, file.path);
    this.created.addDirectories(file.madeDirs);
    if (!existed) this.created.add(file.relativePath);
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
      mode: { entry_is_file: info.isFile(), entry_is_dir: info.isDirectory() },
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
    this.created.deleteBelow(relativePath);
  }

  async create_dir(path: unknown): Promise<void> {
    const relativePath = this.paths.relative("create_dir", path);
    if (relativePath === "") return;
    const target = await this.paths.writable("create_dir", relativePath);
    // The directory itself is recorded when it is new, like the parents of a file.
    this.created.addDirectories(await makeParents(join(target, "entry")));
  }

  async copy(source: unknown, target: unknown): Promise<void> {
    const from = await this.paths.existing("copy", this.paths.relative("copy", source));
    const targetPath = this.paths.relative("copy", target);
    const to = await this.paths.writable("copy", targetPath);
    this.created.addDirectories(await makeParents(to));
    const existed = await entryExists(to);
    await copyFile(from, to);
    if (!existed) this.created.add(targetPath);
  }

  async rename(source: unknown, target: unknown): Promise<void> {
    const sourcePath = this.paths.relative("rename", source);
    const from = await this.paths.existing("rename", sourcePath);
    const targetPath = this.paths.relative("rename", target);
    const to = await this.paths.writable("rename", targetPath);
    this.created.addDirectories(await makeParents(to));
    const existed = await entryExists(to);
    await rename(from, to);
    this.created.delete(sourcePath);
    if (!existed) this.created.add(targetPath);
  }

  get_created_resources(): string[] {
    return this.created.list();
  }

  register_path(path: unknown): void {
    this.created.add(this.paths.relative("register_path", path));
  }

  capability(): StorageCapability {
    return STORAGE_CAPABILITY;
  }

  presign_stat(path: unknown): never {
    throw presignUnsupported("presign_stat", path);
  }

  presign_read(path: unknown): never {
    throw presignUnsupported("presign_read", path);
  }

  presign_write(path: unknown): never {
    throw presignUnsupported("presign_write", path);
  }

  /** Closes open files (dropping unfinished uploads), then removes what was created, deepest first. */
  override async close(): Promise<void> {
    this.closed = true;
    for (const file of this.files.drain()) {
      await file.handle.close().catch(() => {});
      if (file.mode === "wb") await discard(file);
    }
    if (this.removeCreatedOnClose) await this.created.removeAll();
  }

  private seekable(method: string, fd: unknown): OpenFile {
    const file = this.files.get(method, fd);
    if (file.mode !== "rb") {
      throw new InternalError(
        `${method}: file descriptor ${String(fd)} was opened "wb"; only files opened "rb" have a position to move`,
      );
    }
    return file;
  }

  private checkOpen(method: string): void {
    if (this.closed)
      throw new FailedPreconditionError(`${method}: the storage is closed; open a new session`);
  }
}

function fileDefaults(): Pick<OpenFile, "position" | "busy" | "madeDirs" | "written"> {
  return { position: 0, busy: false, madeDirs: [], written: false };
}

function randomSuffix(): string {
  return randomBytes(4).toString("hex");
}

/** An upload that will not be put in place: its temporary file and the directories made for it go. */
async function discard(file: OpenFile): Promise<void> {
  if (file.temporary) await rm(file.temporary, { force: true });
  await removeDirectories(file.madeDirs);
}
