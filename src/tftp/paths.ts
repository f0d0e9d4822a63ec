/**
 * Maps a requested filename onto the file system under the server root, refusing anything that
 * would escape it. Refusals carry generic messages: never the server's absolute paths.
 *
 * Residual risk: between resolving and opening, a local user able to write inside the root could
 * swap a path component for a symlink. Opening with O_NOFOLLOW narrows this to directories.
 */
import { realpath } from "node:fs/promises";
import { isIPv4 } from "node:net";
import { join, sep } from "node:path";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";

/** Sub-directory of the root used for clients without a directory of their own. */
export const DEFAULT_CLIENT_DIRECTORY = "default";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

/**
 * Turns a requested filename into a clean relative path: backslashes become `/`, a leading `/`
 * means the root, `.` and empty segments vanish, `..` may not climb above the root.
 */
export function normalizeRequestPath(requested: string): string {
  if (controlCharacters.test(requested)) {
    throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: invalid character in filename");
  }
  const segments: string[] = [];
  for (const segment of requested.replaceAll("\\", "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) {
        throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: path outside the TFTP root");
      }
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  if (segments.length === 0) throw new TftpRefusal(TftpErrorCode.FileNotFound, "File not found");
  return segments.join("/");
}

/** The directory name for a client address: IPv4-mapped IPv6 as plain IPv4, no zone index. */
export function clientDirectoryName(address: string): string {
  const withoutZone = address.split("%")[0]!;
  const mapped = withoutZone.toLowerCase().startsWith("::ffff:") ? withoutZone.slice(7) : withoutZone;
  return isIPv4(mapped) ? mapped : withoutZone.toLowerCase();
}

/** Directories searched, in order, for a client's files. */
export function searchDirectories(realRoot: string, clientAddress: string, perClientRoot: boolean): string[] {
  if (!perClientRoot) return [realRoot];
  return [
    join(realRoot, clientDirectoryName(clientAddress)),
    join(realRoot, DEFAULT_CLIENT_DIRECTORY),
    realRoot,
  ];
}

export function isInside(realRoot: string, realPath: string): boolean {
  return realPath === realRoot || realPath.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * Finds the file a read request names: the first search directory holding it wins. Symlinks are
 * followed only while they stay inside the root.
 */
export async function resolveReadPath(
  realRoot: string,
  directories: readonly string[],
  relativePath: string,
): Promise<string> {
  for (const directory of directories) {
    let resolved: string;
    try {
      resolved = await realpath(join(directory, relativePath));
    } catch (error) {
      if (isMissing(error)) continue;
      if ((error as { code?: unknown }).code === "EACCES") {
        throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: permission denied");
      }
      throw error;
    }
    if (!isInside(realRoot, resolved)) {
      throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: path outside the TFTP root");
    }
    return resolved;
  }
  throw new TftpRefusal(TftpErrorCode.FileNotFound, "File not found");
}

/** Directories an upload may land in, in order: the client's own (per-client roots), then the root. */
export function uploadDirectories(realRoot: string, clientAddress: string, perClientRoot: boolean): string[] {
  return perClientRoot ? [join(realRoot, clientDirectoryName(clientAddress)), realRoot] : [realRoot];
}

/**
 * Where an upload lands: the first of `directories` in which the file's parent directory exists.
 * The parent must resolve inside the root; missing directories are not created.
 */
export async function resolveWriteDirectory(
  realRoot: string,
  directories: readonly string[],
  relativePath: string,
): Promise<{ directory: string; name: string }> {
  const slash = relativePath.lastIndexOf("/");
  const parent = slash === -1 ? "" : relativePath.slice(0, slash);
  const name = relativePath.slice(slash + 1);
  for (const candidate of directories) {
    let directory: string;
    try {
      directory = await realpath(join(candidate, parent));
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    if (!isInside(realRoot, directory)) {
      throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: path outside the TFTP root");
    }
    return { directory, name };
  }
  throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: directory does not exist");
}
