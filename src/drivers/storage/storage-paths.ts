/** Storage paths: the shared sandbox of src/served-files/paths.ts, refusals as driver errors. */
import { lstat } from "node:fs/promises";
import { InvalidArgumentError, NotFoundError } from "../../core/errors.ts";
import {
  normalizeRelativePath,
  PathRefusal,
  resolveExisting,
  resolveForWrite,
} from "../../served-files/paths.ts";

export function describePath(path: unknown): string {
  return JSON.stringify(path);
}

export async function entryExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

export class StoragePaths {
  constructor(private readonly root: string) {}

  /** A requested path as a clean relative path ("" is the root). */
  relative(method: string, path: unknown): string {
    if (typeof path !== "string") {
      throw new InvalidArgumentError(`${method}: the path must be a string, got ${describePath(path)}`);
    }
    try {
      return normalizeRelativePath(path);
    } catch (error) {
      throw this.refused(method, path, error);
    }
  }

  /** The real path of an existing entry; NotFoundError when there is none. */
  async existing(method: string, relativePath: string): Promise<string> {
    try {
      return await resolveExisting(this.root, relativePath);
    } catch (error) {
      throw this.refused(method, relativePath, error);
    }
  }

  /** Where a new entry at `relativePath` goes, checked to stay under the root. */
  async writable(method: string, relativePath: string): Promise<string> {
    try {
      return await resolveForWrite(this.root, relativePath);
    } catch (error) {
      throw this.refused(method, relativePath, error);
    }
  }

  private refused(method: string, path: string, error: unknown): unknown {
    if (!(error instanceof PathRefusal)) return error;
    const where = `${method}(${describePath(path)})`;
    if (error.kind === "not-found") {
      return new NotFoundError(`${where}: no such file or directory in the storage`);
    }
    if (error.kind === "outside") {
      return new InvalidArgumentError(
        `${where}: the path leads outside the storage root (through ".." or a symlink); use a path under the root`,
      );
    }
    return new InvalidArgumentError(`${where}: ${error.message}; use a plain relative path`);
  }
}
