import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import {
  type DescriptionOrigin,
  descriptionNames,
  driversDescriptionSource,
} from "../config/drivers-description.ts";
import { ConfigError, formatConfigIssue } from "../config/errors.ts";
import { loadExporterConfig } from "../config/load.ts";
import { DutkitError, messageOf } from "../core/errors.ts";
import type { CommandContext } from "./context.ts";

interface TypesOptions {
  output?: string;
  check?: boolean;
}

/**
 * The command the generated file names: with `-o`, as run in that file's folder, so the text does
 * not depend on where it was run.
 */
function originOf(file: string, out: string | undefined): DescriptionOrigin {
  if (out === undefined) return { command: `dutkit types ${file}`, inItsFolder: false };
  const path = relative(dirname(resolve(out)), resolve(file))
    .split(sep)
    .join("/");
  const yaml = path.startsWith(".") ? path : `./${path}`;
  return { command: `dutkit types ${yaml} -o ${basename(out)}`, inItsFolder: true };
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

/** `--check`: is the file at `out` what would be written? Writes nothing. */
async function check(out: string, text: string, command: string, context: CommandContext) {
  const current = await readFile(out, "utf8").catch(() => undefined);
  if (current === text) {
    context.io.stdout(`${out}: up to date\n`);
    return;
  }
  const state = current === undefined ? "does not exist" : "is out of date with its exporter config";
  context.io.stderr(`${out} ${state}: run \`${command}\` in its folder to write it again\n`);
  context.exitCode = 1;
}

async function generate(file: string, options: TypesOptions, context: CommandContext) {
  if (options.check && options.output === undefined) {
    throw new DutkitError("ERR_DUTKIT_USAGE", "--check needs -o <file>: the generated file to compare");
  }
  let loaded: Awaited<ReturnType<typeof loadExporterConfig>>;
  try {
    loaded = await loadExporterConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) context.io.stderr(`${formatConfigIssue(issue)}\n`);
    context.exitCode = 1;
    return;
  }
  const origin = originOf(file, options.output);
  const text = driversDescriptionSource(loaded, origin);
  if (options.output === undefined) {
    context.io.stdout(text);
    return;
  }
  if (options.check) return check(options.output, text, origin.command, context);
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
    .option("--check", "write nothing; exit 1 if the -o file is not what would be written")
    .action((file: string, options: TypesOptions) => generate(file, options, context));
}
