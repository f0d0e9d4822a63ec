import { randomUUID } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import { descriptionNames, driversDescriptionSource } from "../config/drivers-description.ts";
import { ConfigError, formatConfigIssue } from "../config/errors.ts";
import { loadExporterConfig } from "../config/load.ts";
import { DutkitError, messageOf } from "../core/errors.ts";
import type { CommandContext } from "./context.ts";

/** The YAML as the generated file names it: relative to that file, so the text does not depend on the cwd. */
function originOf(file: string, out: string | undefined): string {
  if (out === undefined) return file;
  const path = relative(dirname(resolve(out)), resolve(file))
    .split(sep)
    .join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

/** Writes `text` to `out` whole or not at all: a temporary file beside it, renamed over it. */
async function writeWhole(out: string, text: string): Promise<void> {
  const temporary = `${out}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(temporary, text, { flag: "wx" });
    await rename(temporary, out);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new DutkitError(
      "ERR_DUTKIT_WRITE",
      `cannot write ${out} (${messageOf(error)}); check that its directory exists and is writable`,
    );
  }
}

async function generate(file: string, options: { output?: string }, context: CommandContext) {
  let loaded: Awaited<ReturnType<typeof loadExporterConfig>>;
  try {
    loaded = await loadExporterConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) context.io.stderr(`${formatConfigIssue(issue)}\n`);
    context.exitCode = 1;
    return;
  }
  const text = driversDescriptionSource(loaded, { from: originOf(file, options.output) });
  if (options.output === undefined) {
    context.io.stdout(text);
    return;
  }
  await writeWhole(options.output, text);
  const names = descriptionNames(loaded.config.metadata.name);
  context.io.stdout(`${options.output}: ${names.value} and type ${names.type}\n`);
}

/** `dutkit types`: the typed driver tree of a YAML board, for typed fixtures. */
export function registerTypesCommand(program: Command, context: CommandContext): void {
  program
    .command("types")
    .description(
      "generate TypeScript describing an exporter config's drivers: pass it as `drivers` to boardTest/describeBoard for typed fixtures",
    )
    .argument("<exporter-config>", "exporter config YAML file")
    .option("-o, --output <file>", "write the .ts file here (default: standard output)")
    .action((file: string, options: { output?: string }) => generate(file, options, context));
}
