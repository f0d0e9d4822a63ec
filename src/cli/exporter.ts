import { access } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ConfigError, formatConfigIssue } from "../config/errors.ts";
import { loadExporterConfig } from "../config/load.ts";
import { type DriverEntry, isRefEntry, isTypedEntry } from "../config/types.ts";
import { checkRootDir } from "../drivers/storage/served-root.ts";
import type { CommandContext } from "./context.ts";

/** Typed drivers in the tree, at any depth; groups and refs are not counted. */
function countDrivers(entries: Record<string, DriverEntry>): number {
  let count = 0;
  for (const entry of Object.values(entries)) {
    if (isRefEntry(entry)) continue;
    if (isTypedEntry(entry)) count += 1;
    count += countDrivers(entry.children ?? {});
  }
  return count;
}

/** Every `root_dir` in the tree with the entry path it belongs to. */
function rootDirs(entries: Record<string, DriverEntry>, path: string[] = []): [string, string][] {
  const found: [string, string][] = [];
  for (const [name, entry] of Object.entries(entries)) {
    if (isRefEntry(entry)) continue;
    const rootDir = isTypedEntry(entry)
      ? (entry.config as { root_dir?: unknown } | undefined)?.root_dir
      : undefined;
    if (typeof rootDir === "string") found.push([[...path, name].join("."), rootDir]);
    found.push(...rootDirs(entry.children ?? {}, [...path, name]));
  }
  return found;
}

/**
 * A root_dir that cannot be a directory fails validation as it would fail at start; one that does
 * not exist passes with a warning (the driver creates it, so a typo would go unnoticed).
 */
async function checkRootDirs(
  file: string,
  dir: string,
  entries: Record<string, DriverEntry>,
  context: CommandContext,
) {
  let ok = true;
  for (const [path, rootDir] of rootDirs(entries)) {
    const root = resolve(dir, rootDir);
    try {
      await checkRootDir(root, rootDir);
    } catch (error) {
      context.io.stderr(`${file}: export.${path}: ${(error as Error).message}\n`);
      ok = false;
      continue;
    }
    if (
      await access(root).then(
        () => false,
        () => true,
      )
    ) {
      context.io.stderr(
        `${file}: export.${path}: warning: config.root_dir ${root} does not exist; the driver creates it when it starts (check the path for a typo)\n`,
      );
    }
  }
  return ok;
}

async function validate(files: string[], context: CommandContext): Promise<void> {
  for (const file of files) {
    try {
      const { config, dir } = await loadExporterConfig(file);
      if (!(await checkRootDirs(file, dir, config.export, context))) {
        context.exitCode = 1;
        continue;
      }
      const count = countDrivers(config.export);
      context.io.stdout(`${file}: OK (${count} ${count === 1 ? "driver" : "drivers"})\n`);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) context.io.stderr(`${formatConfigIssue(issue)}\n`);
      context.exitCode = 1;
    }
  }
}

/** `dutkit exporter …`: work with exporter configs. */
export function registerExporterCommands(program: Command, context: CommandContext): void {
  const exporter = program
    .command("exporter")
    .description("work with exporter configs (Jumpstarter ExporterConfig YAML)");
  exporter
    .command("validate")
    .description("check exporter config files: structure, driver types, driver options and refs")
    .argument("<files...>", "exporter config YAML files")
    .action((files: string[]) => validate(files, context));
}
