/**
 * Maps a requested filename onto the file system under the server root with the shared path
 * sandbox (src/served-files/paths.ts), answering its refusals as TFTP ERROR packets. Adds what
 * only TFTP has: per-client directories searched in order.
 */
import { isIPv4 } from "node:net";
import { join } from "node:path";
import { normalizeRelativePath, PathRefusal, realPathInside } from "../served-files/paths.ts";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";

/** Sub-directory of the root used for clients without a directory of their own. */
export const DEFAULT_CLIENT_DIRECTORY = "default";

const outsideRoot = () =>
  new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: path outside the TFTP root");
const fileNotFound = () => new TftpRefusal(TftpErrorCode.FileNotFound, "File not found");

/** A sandbox refusal as the ERROR packet a TFTP client gets; other errors unchanged. */
function asTftpRefusal(error: unknown): unknown {
  if (!(error instanceof PathRefusal)) return error;
  if (error.kind === "invalid") {
    return new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: invalid character in filename");
  }
  return error.kind === "outside" ? outsideRoot() : fileNotFound();
}

/**
 * Turns a requested filename into a clean relative path: backslashes become `/`, a leading `/`
 * means the root, `.` and empty segments vanish, `..` may not climb above the root.
 */
export function normalizeRequestPath(requested: string): string {
  let relativePath: string;
  try {
    relativePath = normalizeRelativePath(requested);
  } catch (error) {
    throw asTftpRefusal(error);
  }
  if (relativePath === "") throw fileNotFound();
  return relativePath;
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

/** The real path of `path` inside the root, or undefined when nothing is there. */
async function existingInside(realRoot: string, path: string): Promise<string | undefined> {
  try {
    return await realPathInside(realRoot, path);
  } catch (error) {
    if (error instanceof PathRefusal && error.kind === "not-found") return undefined;
    throw asTftpRefusal(error);
  }
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
    let resolved: string | undefined;
    try {
      resolved = await existingInside(realRoot, join(directory, relativePath));
    } catch (error) {
      if ((error as { code?: unknown }).code === "EACCES") {
        throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: permission denied");
      }
      throw error;
    }
    if (resolved !== undefined) return resolved;
  }
  throw fileNotFound();
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
    const directory = await existingInside(realRoot, join(candidate, parent));
    if (directory !== undefined) return { directory, name };
  }
  throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: directory does not exist");
}
