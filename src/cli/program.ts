import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { CodedError } from "../core/coded-error.ts";
import { type CliIo, type CommandContext, processIo } from "./context.ts";
import { registerControllerCommand } from "./controller.ts";
import { registerDriversCommand } from "./drivers.ts";
import { registerExporterCommands } from "./exporter.ts";
import { registerHttpCommands } from "./http.ts";
import { registerJCommand } from "./j.ts";
import { registerLeaseCommands } from "./lease.ts";
import { registerRunCommand } from "./run.ts";
import { registerShellCommand } from "./shell.ts";
import { registerTftpCommands } from "./tftp.ts";
import { registerTypesCommand } from "./types.ts";

/** One function per command group; each adds its commands to the program. */
const commandGroups: ((program: Command, context: CommandContext) => void)[] = [
  registerExporterCommands,
  registerDriversCommand,
  registerTypesCommand,
  registerControllerCommand,
  registerRunCommand,
  registerShellCommand,
  registerLeaseCommands,
  registerJCommand,
  registerTftpCommands,
  registerHttpCommands,
];

/** The version in dutkit's package.json, found from the sources (src/cli) or the build (dist/src/cli). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 5; level++) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === "dutkit" && manifest.version) return manifest.version;
    } catch {
      // no package.json at this level; look further up
    }
    dir = dirname(dir);
  }
  return "unknown";
}

/**
 * The `dutkit` command line. Nothing in it exits the process: help, usage errors and command
 * failures end `parseAsync` (as a CommanderError or via `context.exitCode`), so it runs in tests.
 */
export function buildProgram(context: CommandContext): Command {
  const program = new Command("dutkit")
    .description("Hardware-in-the-loop test toolkit, compatible with Jumpstarter")
    .version(packageVersion())
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => context.io.stdout(text),
      writeErr: (text) => context.io.stderr(text),
    })
    .exitOverride();
  for (const register of commandGroups) register(program, context);
  return program;
}

/** Runs the CLI on `args` (the arguments after `dutkit`) and resolves to the exit code. */
export async function run(args: readonly string[], io: CliIo = processIo): Promise<number> {
  const context: CommandContext = { io, exitCode: 0 };
  try {
    await buildProgram(context).parseAsync([...args], { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CodedError) {
      io.stderr(`dutkit: ${error.message} (${error.code})\n`);
      return 1;
    }
    io.stderr(
      `dutkit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
