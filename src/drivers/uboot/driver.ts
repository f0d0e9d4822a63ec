import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { Driver, type DriverInit, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import { FailedPreconditionError, InvalidArgumentError } from "../../core/errors.ts";
import { ExpectConsole, type Transcript, UBOOT_BAD_PATTERNS } from "../../expect/index.ts";
import { callChild, openChildStream } from "./children.ts";
import type { UbootConfig } from "./config.ts";
import type { DhcpInfo, UbootConsoleInterface } from "./contract.ts";
import { UbootCommandError } from "./errors.ts";
import { type CommandOptions, UbootShell } from "./shell.ts";
import { checkEnvName, hexArg, parseBytesTransferred, parseCrc32, parsePrintenv, quote } from "./syntax.ts";

/** How many consoles' transcripts `transcript()` looks at (one per serial connection). */
const TRANSCRIPTS_KEPT = 8;
const DHCP_TRIES = 3;

/** A memory address or size: a number, a hex string or a U-Boot variable (hexArg checks which). */
const ADDRESS = z.union([z.number(), z.string()]);
/** Bad patterns not to fail on: names, or true for all of them (false, the default: none). */
const IGNORE_BAD_PATTERNS = z
  .union([z.array(z.string()), z.boolean()])
  .nullish()
  .describe("ignore_bad_patterns");

/**
 * Jumpstarter's UbootConsole, with the work done on the exporter: the console of a board that
 * runs U-Boot, over its children `power` and `serial` (usually refs to a board's power and
 * console). Commands are typed with input pacing, wait for the prompt, and report their exit
 * status through a marker. Every call is serialized; the serial connection stays open between
 * calls and across power cycles, and its transcript is kept.
 */
export class UbootConsole extends Driver implements UbootConsoleInterface {
  static override readonly clientId = "jumpstarter_driver_uboot.client.UbootConsoleClient";
  static override readonly dutkitClientId = "dutkit.UbootConsoleClient";
  static override readonly methods: MethodTable = {
    get_prompt: { kind: "unary", description: "The prompt U-Boot prints" },
    reboot_to_console: { kind: "unary", description: "Power-cycle and stop autoboot at the prompt" },
    run_command: {
      kind: "unary",
      description: "Run a command; returns its output",
      args: z.tuple([
        z.string().describe("cmd"),
        z.number().nullish().describe("timeout"),
        IGNORE_BAD_PATTERNS,
      ]),
    },
    run_command_checked: {
      kind: "unary",
      description: "Run a command; a non-zero exit code fails",
      args: z.tuple([
        z.string().describe("cmd"),
        z.number().nullish().describe("timeout"),
        IGNORE_BAD_PATTERNS,
      ]),
    },
    get_env: {
      kind: "unary",
      description: "A variable's value (null if unset)",
      args: z.tuple([z.string().describe("name"), z.number().nullish().describe("timeout")]),
    },
    set_env: {
      kind: "unary",
      description: "Set a variable (null deletes it)",
      args: z.tuple([
        z.string().describe("name"),
        z.string().nullable().describe("value"),
        z.number().nullish().describe("timeout"),
      ]),
    },
    set_env_dict: {
      kind: "unary",
      description: "Set several variables",
      args: z.tuple([
        z.record(z.string(), z.string().nullable()).describe("values"),
        z.number().nullish().describe("timeout"),
      ]),
    },
    setup_dhcp: {
      kind: "unary",
      description: "DHCP without autoload; returns {ip, gateway, netmask}",
      args: z.tuple([z.number().nullish().describe("timeout")]),
    },
    tftpboot: {
      kind: "unary",
      description: "tftpboot addr file; returns the bytes transferred",
      args: z.tuple([
        ADDRESS.describe("addr"),
        z.string().describe("file"),
        z.number().nullish().describe("timeout"),
      ]),
    },
    crc32: {
      kind: "unary",
      description: "CRC-32 of memory, as a number",
      args: z.tuple([
        ADDRESS.describe("addr"),
        ADDRESS.describe("size"),
        z.number().nullish().describe("timeout"),
      ]),
    },
    transcript: {
      kind: "unary",
      description: "The console transcript since a time (ms since epoch)",
      args: z.tuple([z.number().nullish().describe("since")]),
    },
    close_console: { kind: "unary", description: "Close the serial connection (reopened when needed)" },
  } satisfies MethodTableOf<UbootConsoleInterface>;

  private readonly config: UbootConfig;
  private shell: UbootShell | undefined;
  /** False once the serial connection under `shell` ended (the next call reconnects). */
  private shellLive = false;
  private readonly transcripts: Transcript[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(config: UbootConfig, init: DriverInit = {}) {
    super(init);
    this.config = config;
  }

  get_prompt(): string {
    return this.config.prompt;
  }

  reboot_to_console(): Promise<string> {
    return this.serialized(async () => {
      const shell = await this.openShell();
      const power = this.child("power");
      await callChild(power, "power", "off");
      if (this.config.power_off_wait > 0) await sleep(this.config.power_off_wait * 1000);
      await shell.discardPending();
      shell.console.transcript.note("power on: waiting for the U-Boot prompt");
      await callChild(power, "power", "on");
      return shell.interruptAutoboot({
        interrupt: this.config.interrupt,
        intervalMs: this.config.interrupt_interval * 1000,
        retries: this.config.interrupt_retries,
        deadline: Date.now() + this.config.boot_timeout * 1000,
      });
    });
  }

  run_command(cmd: unknown, timeout?: unknown, ignoreBadPatterns?: unknown): Promise<string> {
    const options = this.commandOptions(timeout, ignoreBadPatterns);
    return this.withShell((shell) => shell.run(cmd as string, options));
  }

  run_command_checked(cmd: unknown, timeout?: unknown, ignoreBadPatterns?: unknown): Promise<string> {
    const options = this.commandOptions(timeout, ignoreBadPatterns);
    return this.withShell((shell) => shell.runChecked(cmd as string, options));
  }

  get_env(name: unknown, timeout?: unknown): Promise<string | null> {
    checkEnvName(name);
    const options = this.commandOptions(timeout ?? 5, ["error_notification"]);
    return this.withShell(async (shell) => parsePrintenv(await shell.run(`printenv ${name}`, options), name));
  }

  set_env(name: unknown, value: unknown, timeout?: unknown): Promise<void> {
    checkEnvName(name);
    const options = this.commandOptions(timeout ?? 5, undefined);
    const line = setenvLine(name, value);
    return this.withShell(async (shell) => {
      await shell.runChecked(line, options);
    });
  }

  set_env_dict(values: unknown, timeout?: unknown): Promise<void> {
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new InvalidArgumentError("set_env_dict takes a map of names to values (null deletes)");
    }
    const lines = Object.entries(values).map(([name, value]) => {
      checkEnvName(name);
      return setenvLine(name, value);
    });
    const options = this.commandOptions(timeout ?? 5, undefined);
    return this.withShell(async (shell) => {
      for (const line of lines) await shell.runChecked(line, options);
    });
  }

  setup_dhcp(timeout?: unknown): Promise<DhcpInfo> {
    const options = this.commandOptions(timeout, undefined);
    const quick = this.commandOptions(5, ["error_notification"]);
    return this.withShell(async (shell) => {
      const env = async (name: string) => parsePrintenv(await shell.run(`printenv ${name}`, quick), name);
      const autoload = await env("autoload");
      await shell.runChecked("setenv autoload no", quick);
      try {
        for (let attempt = 1; ; attempt++) {
          const { exitCode, output } = await shell.runWithStatus("dhcp", options);
          if (exitCode === 0) break;
          if (attempt >= DHCP_TRIES) throw new UbootCommandError(`dhcp (${attempt} tries)`, exitCode, output);
        }
      } finally {
        await shell.runChecked(
          autoload === null ? "setenv autoload" : setenvLine("autoload", autoload),
          quick,
        );
      }
      const [ip, gateway, netmask] = [await env("ipaddr"), await env("gatewayip"), await env("netmask")];
      if (!ip || !gateway) {
        throw new FailedPreconditionError(
          `dhcp succeeded but ipaddr=${ip} gatewayip=${gateway}; check the DHCP server's offer (router option)`,
        );
      }
      return { ip, gateway, netmask: netmask ?? "255.255.255.0" };
    });
  }

  tftpboot(addr: unknown, file: unknown, timeout?: unknown): Promise<number> {
    const line = `tftpboot ${hexArg(addr, "tftpboot address")} ${quote(file as string, "the file name")}`;
    const options = this.commandOptions(timeout, undefined);
    return this.withShell(async (shell) => {
      const output = await shell.runChecked(line, options);
      const bytes = parseBytesTransferred(output);
      if (bytes === undefined) {
        throw new UbootCommandError(line, 0, `${output}\n(no "Bytes transferred" line)`);
      }
      return bytes;
    });
  }

  crc32(addr: unknown, size: unknown, timeout?: unknown): Promise<number> {
    const line = `crc32 ${hexArg(addr, "crc32 address")} ${hexArg(size, "crc32 size")}`;
    const options = this.commandOptions(timeout, undefined);
    return this.withShell(async (shell) => {
      const output = await shell.runChecked(line, options);
      const crc = parseCrc32(output);
      if (crc === undefined) throw new UbootCommandError(line, 0, `${output}\n(no "==> <crc>" in it)`);
      return crc;
    });
  }

  /** The transcript text of this driver's consoles from `since` (ms since epoch; 0: everything kept). */
  transcript(since?: unknown): string {
    const from = typeof since === "number" ? since : 0;
    return this.transcripts
      .map((t) => ({ t, entries: t.slice(from) }))
      .filter(({ entries }) => entries.length > 0)
      .map(({ t, entries }) => t.format(entries))
      .join("\n");
  }

  close_console(): Promise<void> {
    return this.serialized(async () => this.dropShell());
  }

  override async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => {});
    this.dropShell();
  }

  private child(role: "power" | "serial"): Driver {
    const child = this.children[role];
    if (!child) {
      throw new FailedPreconditionError(
        `UbootConsole has no "${role}" child; add it under children, e.g. ${role}: {ref: board.${role === "power" ? "power" : "console"}}`,
      );
    }
    return child;
  }

  private async openShell(): Promise<UbootShell> {
    if (this.shell && this.shellLive) return this.shell;
    this.dropShell();
    const stream = await openChildStream(this.child("serial"), "serial", "connect");
    this.shellLive = true;
    const ended = () => {
      if (this.shell?.console === lineConsole) this.shellLive = false;
    };
    stream.once("end", ended);
    stream.once("close", ended);
    const lineConsole = new ExpectConsole(stream, {
      name: this.description ?? "uboot",
      badPatterns: this.config.bad_patterns ? UBOOT_BAD_PATTERNS : [],
      encoding: "latin1",
      lineEnding: this.config.line_ending,
    });
    this.transcripts.push(lineConsole.transcript);
    if (this.transcripts.length > TRANSCRIPTS_KEPT) this.transcripts.shift();
    this.shell = new UbootShell(lineConsole, {
      prompt: this.config.prompt,
      chunkSize: this.config.chunk_size,
      echoTimeoutMs: this.config.echo_timeout * 1000,
      maxLineLength: this.config.max_line_length,
      lineEnding: this.config.line_ending,
    });
    return this.shell;
  }

  private dropShell(): void {
    this.shell?.console.close();
    this.shell = undefined;
  }

  /** Runs `fn` on the shell; a fresh connection first finds the prompt (the board may be at it). */
  private withShell<T>(fn: (shell: UbootShell) => Promise<T>): Promise<T> {
    return this.serialized(async () => {
      const fresh = !(this.shell && this.shellLive);
      const shell = await this.openShell();
      if (fresh) await shell.sync(this.config.echo_timeout * 1000);
      return fn(shell);
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new FailedPreconditionError("the U-Boot console is closed"));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private commandOptions(timeout: unknown, ignore: unknown): CommandOptions {
    const seconds = timeout === undefined || timeout === null ? this.config.command_timeout : timeout;
    if (typeof seconds !== "number" || !(seconds > 0) || seconds > 86_400) {
      throw new InvalidArgumentError(`timeout ${JSON.stringify(timeout)}: give seconds, > 0 and ≤ 86400`);
    }
    const options: CommandOptions = { timeoutMs: seconds * 1000 };
    if (ignore === true || ignore === false) options.ignoreBadPatterns = ignore;
    else if (Array.isArray(ignore) && ignore.every((n) => typeof n === "string"))
      options.ignoreBadPatterns = ignore;
    else if (ignore !== undefined && ignore !== null) {
      throw new InvalidArgumentError(
        `ignore_bad_patterns ${JSON.stringify(ignore)}: give true, false or names such as ["unknown_command"]`,
      );
    }
    return options;
  }
}

function setenvLine(name: string, value: unknown): string {
  if (value === null || value === undefined) return `setenv ${name}`;
  if (typeof value !== "string") {
    throw new InvalidArgumentError(
      `set_env ${name}: the value must be a string or null, not ${typeof value}`,
    );
  }
  return `setenv ${name} ${quote(value, `the value of ${name}`)}`;
}
