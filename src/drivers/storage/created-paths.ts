/**
 * What a storage wrote: the paths it created (files it overwrote existed before and are not
 * recorded), removed on close when asked, deepest first, never outside the root.
 */
import { lstat, mkdir, realpath, rmdir, unlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { isInside } from "../../served-files/paths.ts";

export class CreatedPaths {
  private readonly paths = new Set<string>();

  constructor(private readonly root: string) {}

  add(relativePath: string): void {
    this.paths.add(relativePath);
  }

  /** Records directories by their absolute paths (as `makeParents` returns them). */
  addDirectories(absolute: readonly string[]): void {
    for (const directory of absolute) this.paths.add(relative(this.root, directory).split(sep).join("/"));
  }

  delete(relativePath: string): void {
    this.paths.delete(relativePath);
  }

  /** Forgets `relativePath` and everything below it ("" is the root: everything). */
  deleteBelow(relativePath: string): void {
    for (const path of this.paths) {
      if (relativePath === "" || path === relativePath || path.startsWith(`${relativePath}/`)) {
        this.paths.delete(path);
      }
    }
  }

  list(): string[] {
    return [...this.paths];
  }

  /** Removes every recorded path, deepest first; a directory someone else filled stays. */
  async removeAll(): Promise<void> {
    const depth = (path: string) => path.split("/").length;
    const paths = [...this.paths].sort((a, b) => depth(b) - depth(a) || b.localeCompare(a));
    for (const relativePath of paths) await this.remove(relativePath);
    this.paths.clear();
  }

  private async remove(relativePath: string): Promise<void> {
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
}

/** Creates the directories up to `target`'s parent that do not exist yet; returns them, outermost first. */
export async function makeParents(target: string): Promise<string[]> {
  const parent = dirname(target);
  const first = await mkdir(parent, { recursive: true });
  if (first === undefined) return [];
  const made: string[] = [];
  let directory = parent;
  for (let step = 0; step < 256 && isInside(first, directory); step++) {
    made.unshift(directory);
    if (directory === first) break;
    directory = dirname(directory);
  }
  return made;
}

/** Removes directories made for an upload, innermost first, while they are empty. */
export async function removeDirectories(outermostFirst: readonly string[]): Promise<void> {
  for (const directory of [...outermostFirst].reverse()) {
    try {
      await rmdir(directory);
    } catch {
      // Something else was put there meanwhile: it stays.
      return;
    }
  }
}
