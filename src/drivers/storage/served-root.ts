import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { Storage } from "./storage.ts";

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
