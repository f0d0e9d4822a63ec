/**
 * The file an upload (WRQ) is written to: a temporary file next to the target, filled through
 * two alternating buffers, flushed to disk and renamed into place only after the last block. An
 * aborted upload removes the temporary file and leaves nothing behind; one left by a server that
 * was killed carries that server's PID in its name, and the next server's start removes it
 * (`removeLeftoverUploads`).
 */
import { randomBytes } from "node:crypto";
import { write } from "node:fs";
import { type FileHandle, link, lstat, open, readdir, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";

const BUFFER_BYTES = 256 * 1024;
const SUFFIX = ".tftp-upload";
/** `.<name>.<pid of the server>.<12 hex digits>.tftp-upload` */
const TEMPORARY_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tftp-upload$/;
/** How far the start-up sweep looks: it must stay quick on a large root. */
const SWEEP_MAX_ENTRIES = 100_000;
const SWEEP_MAX_DEPTH = 16;

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function writeAll(fd: number, buffer: Buffer, length: number, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number) => {
      if (offset >= length) {
        resolve();
        return;
      }
      write(fd, buffer, offset, length - offset, position + offset, (error, written) => {
        if (error) reject(error);
        else step(offset + written);
      });
    };
    step(0);
  });
}

/** Turns a file-system failure during an upload into what the client is told. */
export function uploadRefusal(error: unknown): TftpRefusal {
  if (error instanceof TftpRefusal) return error;
  const code = errorCode(error);
  if (code === "ENOSPC" || code === "EDQUOT") return new TftpRefusal(TftpErrorCode.DiskFull, "Disk full");
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: cannot write here");
  }
  return new TftpRefusal(TftpErrorCode.NotDefined, `Writing the file failed: ${String(code ?? error)}`);
}

export class UploadFile {
  private active: Buffer;
  private spare: Buffer | undefined;
  private used = 0;
  private flushedBytes = 0;
  private writing: Promise<void> | undefined;
  private waiter: (() => void) | undefined;
  private failure: unknown;

  private constructor(
    private readonly handle: FileHandle,
    private readonly temporaryPath: string,
    private readonly targetPath: string,
    private readonly overwrite: boolean,
    bufferBytes: number,
  ) {
    this.active = Buffer.allocUnsafe(bufferBytes);
  }

  /**
   * Checks the target and creates the temporary file.
   * @param reserveBytes room the caller needs between two `ensureRoom` calls (a window of blocks)
   */
  static async create(directory: string, name: string, overwrite: boolean, reserveBytes: number) {
    const targetPath = join(directory, name);
    try {
      const existing = await lstat(targetPath);
      if (!existing.isFile()) {
        throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: not a regular file");
      }
      if (!overwrite) throw new TftpRefusal(TftpErrorCode.FileExists, "File already exists");
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw uploadRefusal(error);
    }
    const temporaryPath = join(
      directory,
      `.${name}.${process.pid}.${randomBytes(6).toString("hex")}${SUFFIX}`,
    );
    let handle: FileHandle;
    try {
      handle = await open(temporaryPath, "wx", 0o644);
    } catch (error) {
      throw uploadRefusal(error);
    }
    return new UploadFile(
      handle,
      temporaryPath,
      targetPath,
      overwrite,
      Math.max(BUFFER_BYTES, 2 * reserveBytes),
    );
  }

  /** Buffer the next bytes go into, from `offset`; `ensureRoom` says how much fits. */
  get target(): Buffer {
    return this.active;
  }

  get offset(): number {
    return this.used;
  }

  /** Records `count` bytes written into `target` at `offset`. */
  advance(count: number): void {
    this.used += count;
  }

  /** The write error that stopped the upload, if any. */
  get error(): unknown {
    return this.failure;
  }

  /**
   * Makes sure `bytes` fit in the buffer. Returns false when a write is still in progress and
   * the buffer is full: `onRoom` is then called once there is room (or the write failed).
   */
  ensureRoom(bytes: number, onRoom: () => void): boolean {
    if (this.active.length - this.used >= bytes) return true;
    if (this.writing) {
      this.waiter = onRoom;
      return false;
    }
    this.writeActive();
    return true;
  }

  private writeActive(): void {
    const buffer = this.active;
    const length = this.used;
    this.active = this.spare ?? Buffer.allocUnsafe(buffer.length);
    this.spare = undefined;
    this.used = 0;
    this.writing = writeAll(this.handle.fd, buffer, length, this.flushedBytes).then(
      () => {
        this.writing = undefined;
        this.spare = buffer;
        this.flushedBytes += length;
        this.wakeWaiter();
      },
      (error: unknown) => {
        this.writing = undefined;
        this.failure = error;
        this.wakeWaiter();
      },
    );
  }

  private wakeWaiter(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    if (this.failure === undefined) this.writeActive();
    waiter();
  }

  /** Writes what is left and moves the file into place. */
  async finish(): Promise<void> {
    await this.writing;
    if (this.failure !== undefined) throw uploadRefusal(this.failure);
    try {
      await writeAll(this.handle.fd, this.active, this.used, this.flushedBytes);
      // On disk before the name points at it: a crash must not leave a renamed, empty file.
      await this.handle.sync();
      await this.handle.close();
      await this.moveIntoPlace();
      await syncDirectory(dirname(this.targetPath));
    } catch (error) {
      await this.discard();
      throw uploadRefusal(error);
    }
  }

  private async moveIntoPlace(): Promise<void> {
    if (this.overwrite) {
      await rename(this.temporaryPath, this.targetPath);
      return;
    }
    // link() fails if the target appeared meanwhile, where rename() would replace it.
    try {
      await link(this.temporaryPath, this.targetPath);
    } catch (error) {
      if (errorCode(error) === "EEXIST")
        throw new TftpRefusal(TftpErrorCode.FileExists, "File already exists");
      throw error;
    }
    await unlink(this.temporaryPath);
  }

  /** Drops the upload: closes and removes the temporary file. */
  async discard(): Promise<void> {
    await this.writing?.catch(() => {});
    await this.handle.close().catch(() => {});
    await unlink(this.temporaryPath).catch(() => {});
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

const startedAt = Date.now() - process.uptime() * 1000;

/** A temporary upload file no running server is writing: its server's process is gone. */
function isLeftover(pid: number, modifiedMs: number): boolean {
  if (pid === process.pid) return modifiedMs < startedAt;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errorCode(error) === "ESRCH";
  }
}

/**
 * Removes the temporary files of uploads whose server was killed mid-transfer, below `root`
 * (symbolic links not followed; at most SWEEP_MAX_ENTRIES entries, SWEEP_MAX_DEPTH levels).
 * Files of servers still running are left alone. Returns the paths removed.
 */
export async function removeLeftoverUploads(root: string): Promise<string[]> {
  const removed: string[] = [];
  let seen = 0;
  const visit = async (directory: string, depth: number): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (++seen > SWEEP_MAX_ENTRIES) return;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (depth < SWEEP_MAX_DEPTH) await visit(path, depth + 1);
        continue;
      }
      const match = entry.isFile() ? TEMPORARY_NAME.exec(entry.name) : null;
      if (!match) continue;
      const info = await lstat(path).catch(() => undefined);
      if (info && isLeftover(Number(match[1]), info.mtimeMs)) {
        await unlink(path).then(
          () => removed.push(path),
          () => {},
        );
      }
    }
  };
  await visit(root, 0);
  return removed;
}
