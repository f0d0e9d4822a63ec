/**
 * The path sandbox of every file dutkit serves or stores (TFTP, HTTP, Storage): maps a requested
 * path onto the file system under a root, refusing anything that would escape it. A leading `/`
 * means the root, backslashes become `/`, `.` and empty segments vanish, `..` may not climb above
 * the root, NUL and control characters are refused, and symlinks are followed only while they
 * stay inside the root. Refusals carry generic messages, never the server's absolute paths; each
 * server turns a refusal's kind into its own answer (a TFTP ERROR packet, an HTTP status, a
 * driver error).
 *
 * Residual risk: between resolving and opening, a local user able to write inside the root could
 * swap a path component for a symlink. Opening with O_NOFOLLOW narrows this to directories.
 */
import { realpath } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { CodedError } from "../core/coded-error.ts";
import type { ErrorCode } from "../core/error-codes.ts";

export type PathRefusalKind = "invalid" | "outside" | "not-found";

const codeOfKind = {
  invalid: "ERR_DUTKIT_PATH_INVALID",
  outside: "ERR_DUTKIT_PATH_OUTSIDE_ROOT",
  "not-found": "ERR_DUTKIT_PATH_NOT_FOUND",
} as const satisfies Record<PathRefusalKind, ErrorCode>;

export class PathRefusal extends CodedError<(typeof codeOfKind)[PathRefusalKind]> {
  readonly kind: PathRefusalKind;
  constructor(kind: PathRefusalKind, message: string) {
    super(codeOfKind[kind], message);
    this.kind = kind;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

/**
 * A requested path as a clean relative path: `/`-separated, no `.` or `..` segments; "" is the
 * root itself.
 */
export function normalizeRelativePath(requested: string): string {
  if (controlCharacters.test(requested)) {
    throw new PathRefusal("invalid", "invalid character (NUL or control character) in path");
  }
  const segments: string[] = [];
  for (const segment of requested.replaceAll("\\", "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) throw new PathRefusal("outside", "path outside the served root");
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return segments.join("/");
}

export function isInside(realRoot: string, realPath: string): boolean {
  return realPath === realRoot || realPath.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * The real path of the existing entry at `path` (absolute, e.g. a directory under the root joined
 * with a relative path), refused unless it resolves inside `realRoot`. Errors other than a
 * missing entry (EACCES…) are thrown as they are.
 */
export async function realPathInside(realRoot: string, path: string): Promise<string> {
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch (error) {
    if (isMissing(error)) throw new PathRefusal("not-found", "no such file");
    throw error;
  }
  if (!isInside(realRoot, resolved)) throw new PathRefusal("outside", "path outside the served root");
  return resolved;
}

/** The real path of an existing entry under `realRoot` (symlinks resolved, and checked). */
export async function resolveExisting(realRoot: string, relativePath: string): Promise<string> {
  return realPathInside(realRoot, join(realRoot, relativePath));
}

/**
 * Where a new file at `relativePath` would be written: its absolute path under `realRoot`, with
 * the deepest existing ancestor resolved. That ancestor must resolve inside the root, and an
 * existing entry at the path itself must too (no writing through a symlink that leads out).
 * Nothing is created here.
 */
export async function resolveForWrite(realRoot: string, relativePath: string): Promise<string> {
  if (relativePath === "") throw new PathRefusal("invalid", "a file path is needed, not the root");
  const target = join(realRoot, relativePath);
  const outside = () => new PathRefusal("outside", "path outside the served root");
  try {
    if (!isInside(realRoot, await realpath(target))) throw outside();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  let probe = dirname(target);
  // Bounded: each step removes one path segment, and the root itself exists.
  for (let step = 0; step <= relativePath.split("/").length; step++) {
    try {
      const real = await realpath(probe);
      if (!isInside(realRoot, real)) throw outside();
      return join(real, relative(probe, target));
    } catch (error) {
      if (!isMissing(error)) throw error;
      probe = dirname(probe);
    }
  }
  throw new PathRefusal("not-found", "the served root does not exist");
}
