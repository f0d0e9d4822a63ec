import { lstat, mkdtemp, readlink, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { z } from "zod";
import { DutkitError } from "../../core/errors.ts";
import { Storage } from "./driver.ts";

/** The config fields of a file server whose root a `storage` child writes to (Tftp, HttpServer). */
export const servedRootConfigFields = {
  root_dir: z
    .string()
    .min(1)
    .optional()
    .describe(
      "directory served (created if missing; relative to the config file); default: a fresh temporary directory, removed on close",
    ),
  remove_created_on_close: z
    .boolean()
    .default(true)
    .describe("delete the files written through `storage` when the driver closes"),
};

/** A file server's root: where it is, the storage child over it, and whether it is ours to delete. */
export interface ServedRoot {
  root: string;
  storage: Storage;
  /** True when no root_dir was configured: the root is a temporary directory, removed on close. */
  temporary: boolean;
}

export interface ServedRootOptions {
  config: { root_dir?: string | undefined; remove_created_on_close: boolean };
  configDir: string;
  /** Prefix of the temporary directory's name when no root_dir is configured. */
  tempPrefix: string;
  /** Description of the storage child. */
  description: string;
}

/**
 * Opens the root and its storage child, then builds the server with `create`. If anything fails,
 * a temporary root made here is removed again.
 */
export async function withServedRoot<D>(
  options: ServedRootOptions,
  create: (served: ServedRoot) => D,
): Promise<D> {
  const { config } = options;
  const temporary = config.root_dir === undefined;
  const root =
    config.root_dir === undefined
      ? await mkdtemp(join(tmpdir(), options.tempPrefix))
      : resolve(options.configDir, config.root_dir);
  if (!temporary) await checkRootDir(root, config.root_dir!);
  try {
    const storage = await Storage.create({
      root,
      removeCreatedOnClose: config.remove_created_on_close,
      init: { description: options.description },
    });
    return create({ root: storage.root, storage, temporary });
  } catch (error) {
    if (temporary) await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** Removes a temporary root (the storage child has already removed what it created). */
export async function releaseServedRoot(served: Pick<ServedRoot, "root" | "temporary">): Promise<void> {
  if (served.temporary) await rm(served.root, { recursive: true, force: true });
}

/** Kernel filesystems: nothing to serve there, and walking them need not end. */
const SPECIAL_ROOTS = ["/proc", "/sys", "/dev"];

function refuse(configured: string, root: string, problem: string, fix: string): DutkitError {
  const shown = configured === root ? root : `${configured} (${root})`;
  return new DutkitError("ERR_DUTKIT_CONFIG", `config.root_dir ${shown} ${problem}: ${fix}`);
}

/**
 * Refuses a root_dir that cannot be a directory of boot files before anything is created: a
 * kernel filesystem, a file, a dangling link, a path through a file. A missing directory is fine
 * (it is created, as Jumpstarter creates it); `dutkit exporter validate` warns about it.
 */
export async function checkRootDir(root: string, configured: string): Promise<void> {
  const refuseSpecial = (path: string) => {
    const special = SPECIAL_ROOTS.find((dir) => path === dir || path.startsWith(`${dir}${sep}`));
    if (special) {
      throw refuse(
        configured,
        root,
        `is under ${special}, a kernel filesystem`,
        "give a directory on a disk",
      );
    }
  };
  refuseSpecial(root);
  const info = await lstat(root).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    if (info.code === "ENOENT") return;
    if (info.code === "ENOTDIR") {
      throw refuse(configured, root, "goes through a file", "give a path whose parents are directories");
    }
    throw refuse(configured, root, `cannot be read (${info.code ?? info.message})`, "check its permissions");
  }
  if (info.isSymbolicLink()) {
    const target = resolve(dirname(root), await readlink(root));
    const reached = await stat(root).catch(() => undefined);
    if (!reached) {
      throw refuse(
        configured,
        root,
        `is a symbolic link to ${target}, which does not exist`,
        "create the target or give another directory",
      );
    }
    refuseSpecial(await realpath(root));
    if (!reached.isDirectory()) {
      throw refuse(
        configured,
        root,
        `is a symbolic link to ${target}, which is not a directory`,
        "give a directory",
      );
    }
    return;
  }
  if (!info.isDirectory()) throw refuse(configured, root, "is a file, not a directory", "give a directory");
}
