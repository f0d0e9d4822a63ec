import { type ClientInit, DriverClient } from "../../client/client.ts";
import { DutkitError } from "../../core/errors.ts";
import type { JsonValue } from "../../core/value.ts";
import { IDENTIFIER } from "./config.ts";
import { ShellMethodNames, ShellOutputItem } from "./contract.ts";

/** How a method run ended, with all it wrote. */
export interface ShellResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Output as it arrives; `exitCode` is set on the last chunk only. */
export interface ShellOutputChunk {
  stdout: string;
  stderr: string;
  exitCode?: number;
}

export interface ShellCallOptions {
  /** Variables added to the script's environment (names such as PATH or LD_* are refused). */
  env?: Record<string, string>;
}

export interface ShellRunOptions extends ShellCallOptions {
  /** Called with each piece of output as it arrives. */
  onOutput?: (stdout: string, stderr: string) => void;
}

export type ShellMethodShortcut = (...args: string[]) => Promise<ShellResult>;

/** Property names the shortcut proxy leaves alone, so the client is not mistaken for a promise or JSON. */
const NOT_SHORTCUTS = new Set(["then", "toJSON"]);
type NotShortcut = "then" | "toJSON";

/**
 * Client of Jumpstarter's Shell driver. Besides `run` and `stream`, every configured method is
 * a property: `client.hello("a")` is `client.run("hello", ["a"])`. A method named like a member
 * of this class (`run`, `path`…) or `then`/`toJSON` is reachable through `run` only.
 */
export class ShellClientBase extends DriverClient {
  constructor(init: ClientInit) {
    super(init);
    const shortcuts = new Map<string, ShellMethodShortcut>();
    // biome-ignore lint/correctness/noConstructorReturn: the proxy adds one shortcut per configured method.
    return new Proxy(this, {
      get(target, key, receiver) {
        if (typeof key === "symbol" || key in target || NOT_SHORTCUTS.has(key) || !IDENTIFIER.test(key)) {
          return Reflect.get(target, key, receiver);
        }
        let shortcut = shortcuts.get(key);
        if (!shortcut) {
          shortcut = (...args: string[]) => (receiver as ShellClientBase).run(key, args);
          shortcuts.set(key, shortcut);
        }
        return shortcut;
      },
    });
  }

  /** The configured method names. */
  async methods(): Promise<string[]> {
    const names = await this.call("get_methods");
    const parsed = ShellMethodNames.safeParse(names);
    if (!parsed.success) {
      throw this.protocolError(`get_methods() returned ${JSON.stringify(names)}; expected a list of names`);
    }
    return parsed.data;
  }

  /** Runs a method and yields its output as it arrives; the last chunk carries the exit code. */
  async *stream(
    method: string,
    args: readonly string[] = [],
    options: ShellCallOptions = {},
  ): AsyncGenerator<ShellOutputChunk, void, undefined> {
    for await (const item of this.streamingCall("call_method", method, options.env ?? {}, ...args)) {
      const [stdout, stderr, exitCode] = this.outputItem(method, item);
      yield exitCode === null ? { stdout, stderr } : { stdout, stderr, exitCode };
    }
  }

  /**
   * Runs a method to its end and returns its exit code and output. A non-zero exit code is a
   * result, not an error; a timed-out method exits with 199.
   */
  async run(
    method: string,
    args: readonly string[] = [],
    options: ShellRunOptions = {},
  ): Promise<ShellResult> {
    let stdout = "";
    let stderr = "";
    let exitCode: number | undefined;
    for await (const chunk of this.stream(method, args, options)) {
      stdout += chunk.stdout;
      stderr += chunk.stderr;
      if (chunk.stdout || chunk.stderr) options.onOutput?.(chunk.stdout, chunk.stderr);
      if (chunk.exitCode !== undefined) exitCode = chunk.exitCode;
    }
    if (exitCode === undefined) {
      throw this.protocolError(`call_method("${method}") ended without an exit code`);
    }
    return { exitCode, stdout, stderr };
  }

  private outputItem(method: string, item: JsonValue): ShellOutputItem {
    const parsed = ShellOutputItem.safeParse(item);
    if (parsed.success) return parsed.data;
    throw this.protocolError(
      `call_method("${method}") yielded ${JSON.stringify(item)}; expected [stdout, stderr, exit code or null]`,
    );
  }

  private protocolError(problem: string): DutkitError {
    return new DutkitError(
      "ERR_DUTKIT_PROTOCOL",
      `${this.path || "(root)"}: ${problem}; is the driver a Jumpstarter-compatible Shell?`,
    );
  }
}

/** A Shell client whose configured method names `M` are typed shortcuts. */
export type ShellClient<M extends string = string> = ShellClientBase & {
  readonly [K in Exclude<M, keyof ShellClientBase | NotShortcut>]: ShellMethodShortcut;
};

/** The method names of a Shell config map, or `string` when they are not known statically. */
export type MethodNamesOf<Config> = Config extends { methods: infer Methods }
  ? Extract<keyof Methods, string>
  : string;
