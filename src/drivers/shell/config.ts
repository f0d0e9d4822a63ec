import { statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { DutkitError } from "../../core/errors.ts";

/** What a Shell method name, and an environment variable name, must look like. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Node's timers cannot wait longer than 2^31-1 ms; longer waits fire immediately. */
const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const timeoutSeconds = z
  .number()
  .positive()
  .max(MAX_TIMEOUT_SECONDS, `a timeout can be at most ${MAX_TIMEOUT_SECONDS} seconds`);

const MethodConfig = z.union([
  z.string().min(1, "a method's script must not be empty").describe("the script"),
  z.strictObject({
    command: z.string().min(1, "a method's command must not be empty").describe("the script"),
    description: z.string().optional().describe("help text, reported as the method's description"),
    timeout: timeoutSeconds.optional().describe("seconds before the script is killed; default: timeout"),
  }),
]);

export const ShellConfig = z
  .strictObject({
    methods: z
      .record(z.string(), MethodConfig)
      .superRefine((methods, ctx) => {
        for (const name of Object.keys(methods)) {
          if (!IDENTIFIER.test(name)) {
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: `method name "${name}" is not an identifier; use letters, digits and _, not starting with a digit`,
            });
          }
        }
      })
      .describe("method name → script, or {command, description?, timeout?}"),
    shell: z
      .array(z.string().min(1))
      .min(1, "shell needs at least the program to run, e.g. [bash, -c]")
      .default(["bash", "-c"])
      .describe("the interpreter; it is run as shell + [script, method, ...args]"),
    timeout: timeoutSeconds.default(300).describe("seconds before a script is killed (exit code 199)"),
    cwd: z.string().min(1).optional().describe("working directory, relative to the config file's directory"),
  })
  .describe("Shell options");

export type ShellConfig = z.output<typeof ShellConfig>;

/** One configured method, normalised from either config form. */
export interface ShellMethod {
  script: string;
  timeoutSeconds: number;
  description?: string;
}

export function methodsOf(config: ShellConfig): Map<string, ShellMethod> {
  const methods = new Map<string, ShellMethod>();
  for (const [name, entry] of Object.entries(config.methods)) {
    if (typeof entry === "string") {
      methods.set(name, { script: entry, timeoutSeconds: config.timeout });
    } else {
      methods.set(name, {
        script: entry.command,
        timeoutSeconds: entry.timeout ?? config.timeout,
        ...(entry.description !== undefined ? { description: entry.description } : {}),
      });
    }
  }
  return methods;
}

/** The cwd option as an absolute path, checked to be a directory. */
export function resolveCwd(cwd: string | undefined, configDir: string): string | undefined {
  if (cwd === undefined) return undefined;
  const dir = resolve(configDir, cwd);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DutkitError(
      "ERR_DUTKIT_CONFIG",
      `Shell cwd "${cwd}" (${dir}) is not a directory; create it or fix cwd ` +
        "(a relative cwd starts at the config file's directory)",
    );
  }
  return dir;
}
