import { InvalidArgumentError } from "../../core/errors.ts";
import { IDENTIFIER } from "./config.ts";

/**
 * Variables a caller may not set: each lets whoever sets it run code of their choosing in the
 * script (a preloaded library, a different `bash`, a startup file) or read the exporter's
 * credentials. The same list as Jumpstarter's Shell driver.
 */
const FORBIDDEN_ENV_NAMES = new Set([
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "PATH",
  "PYTHONPATH",
  "BASH_ENV",
  "KUBECONFIG",
  "HOME",
]);
const FORBIDDEN_ENV_PREFIXES = ["LD_", "BASH_FUNC_"];

export function isForbiddenEnvName(name: string): boolean {
  return FORBIDDEN_ENV_NAMES.has(name) || FORBIDDEN_ENV_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The caller's environment additions, checked; null (as the Python client may send) means none. */
export function checkCallEnv(method: string, env: unknown): Record<string, string> {
  if (env === null || env === undefined) return {};
  if (!isPlainObject(env)) {
    throw new InvalidArgumentError(
      `call_method("${method}"): env must be an object of name → string value, got ${JSON.stringify(env)}`,
    );
  }
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!IDENTIFIER.test(name)) {
      throw new InvalidArgumentError(
        `call_method("${method}"): environment variable name "${name}" is invalid; ` +
          "use letters, digits and _, not starting with a digit",
      );
    }
    if (isForbiddenEnvName(name)) {
      throw new InvalidArgumentError(
        `call_method("${method}"): environment variable ${name} may not be set by a caller ` +
          "(it could change which code the script runs); set it inside the method's script instead",
      );
    }
    if (typeof value !== "string") {
      throw new InvalidArgumentError(
        `call_method("${method}"): environment variable ${name} is ${JSON.stringify(value)}; pass a string`,
      );
    }
    checked[name] = checkNoNul(method, `environment variable ${name}`, value);
  }
  return checked;
}

/** The script's positional arguments ($1…), checked to be strings. */
export function checkCallArgs(method: string, args: readonly unknown[]): string[] {
  return args.map((arg, i) => {
    if (typeof arg !== "string") {
      throw new InvalidArgumentError(
        `call_method("${method}"): argument ${i + 1} is ${JSON.stringify(arg)}; ` +
          "script arguments must be strings (convert numbers with String())",
      );
    }
    return checkNoNul(method, `argument ${i + 1}`, arg);
  });
}

// A NUL cannot be passed to exec(); Node would reject it with a message that names no argument.
function checkNoNul(method: string, what: string, value: string): string {
  if (value.includes("\0")) {
    throw new InvalidArgumentError(`call_method("${method}"): ${what} contains a NUL character; remove it`);
  }
  return value;
}
