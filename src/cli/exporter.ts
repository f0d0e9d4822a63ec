import type { Command } from "commander";
import { ConfigError, formatConfigIssue } from "../config/errors.ts";
import { loadExporterConfig } from "../config/load.ts";
import { type DriverEntry, isRefEntry, isTypedEntry } from "../config/types.ts";
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

async function validate(files: string[], context: CommandContext): Promise<void> {
  for (const file of files) {
    try {
      const { config } = await loadExporterConfig(file);
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
