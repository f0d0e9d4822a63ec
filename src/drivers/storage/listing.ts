/** Directory entries as OpenDAL lists them: paths from the root, directories ending with `/`. */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Entries `listEntries` and `scanEntries` yield at most, and how deep a scan goes. */
const MAX_ENTRIES = 100_000;
const MAX_SCAN_DEPTH = 32;

function entryPath(parent: string, name: string): string {
  return parent ? `${parent}/${name}` : name;
}

/** The entries of `directory` (whose path from the root is `relativePath`). */
export async function* listEntries(directory: string, relativePath: string): AsyncGenerator<string> {
  let count = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (++count > MAX_ENTRIES) return;
    const name = entryPath(relativePath, entry.name);
    yield entry.isDirectory() ? `${name}/` : name;
  }
}

/** Every entry below `relativePath`, depth first; symlinked directories are not followed. */
export async function* scanEntries(root: string, relativePath: string): AsyncGenerator<string> {
  const pending: { relativePath: string; depth: number }[] = [{ relativePath, depth: 0 }];
  let count = 0;
  while (pending.length > 0) {
    const next = pending.pop()!;
    for (const entry of await readdir(join(root, next.relativePath), { withFileTypes: true })) {
      if (++count > MAX_ENTRIES) return;
      const name = entryPath(next.relativePath, entry.name);
      if (!entry.isDirectory()) {
        yield name;
        continue;
      }
      yield `${name}/`;
      if (next.depth + 1 < MAX_SCAN_DEPTH) pending.push({ relativePath: name, depth: next.depth + 1 });
    }
  }
}
