import { setTimeout as sleep } from "node:timers/promises";
import { InvalidArgumentError } from "../../core/errors.ts";
import { type ExpectConsole, TIMEOUT } from "../../expect/index.ts";
import { asUbootError, UbootCommandError, UbootNoPromptError } from "./errors.ts";
import { checkTypable, normalizeNewlines, withMarker } from "./syntax.ts";

export interface UbootShellOptions {
  prompt: string;
  /** Characters sent before waiting for their echo; 0: the whole line at once. */
  chunkSize: number;
  echoTimeoutMs: number;
  maxLineLength: number;
  lineEnding: string;
}

export interface CommandOptions {
  timeoutMs: number;
  /** Bad patterns not to look for: names, or true for none. */
  ignoreBadPatterns?: readonly string[] | boolean;
}

export interface InterruptOptions {
  interrupt: string;
  intervalMs: number;
  retries: number;
  deadline: number;
}

/** Boot output kept for the caller of `interruptAutoboot`. */
const BOOT_LOG_MAX = 64 * 1024;
/** Sync attempts: Ctrl-C, then an echo that the echoed line cannot match. */
const SYNC_TRIES = 3;

/**
 * U-Boot's command line over an expect console: typing commands with input pacing, waiting for
 * the prompt, exit status through a marker. Knows nothing about drivers.
 */
export class UbootShell {
  private nonce = 0;
  /** Set when a wait failed mid-command: the next command first finds the prompt again. */
  private lost = false;

  constructor(
    readonly console: ExpectConsole,
    private readonly options: UbootShellOptions,
  ) {}

  /** Forgets everything received so far (the output of an earlier boot). */
  async discardPending(): Promise<void> {
    await this.console.expect([/[\s\S]+/, TIMEOUT], { timeout: 0, ignoreBadPatterns: true });
  }

  /**
   * Sends `interrupt` until the prompt shows, at most `retries` times and until `deadline`
   * (a `Date.now()` value); then makes sure the prompt answers. Returns the boot output seen.
   */
  async interruptAutoboot(o: InterruptOptions): Promise<string> {
    let log = "";
    const keep = (text: string) => {
      log = (log + text).slice(-BOOT_LOG_MAX);
    };
    for (let i = 0; i < o.retries; i++) {
      const left = o.deadline - Date.now();
      if (left <= 0) break;
      await this.console.send(o.interrupt);
      const r = await this.console.expect([this.options.prompt, TIMEOUT], {
        timeout: Math.min(o.intervalMs, left),
        ignoreBadPatterns: ["signon", "reset"],
      });
      keep(r.before);
      if (r.index === 0) {
        await this.sync(Math.max(this.options.echoTimeoutMs, 1000));
        return normalizeNewlines(log);
      }
    }
    throw new UbootNoPromptError(
      `no U-Boot prompt ${JSON.stringify(this.options.prompt)} after ${o.retries} interrupts ` +
        `(${JSON.stringify(o.interrupt)}) or the boot timeout; last output: ` +
        `${JSON.stringify(log.slice(-300))}. Check the prompt and interrupt settings, the serial ` +
        "wiring and that the board boots U-Boot",
    );
  }

  /**
   * Makes sure the prompt answers and nothing is left on the line: Ctrl-C, then a line whose
   * output (`dks<n>`) its own echo cannot match, then the prompt.
   */
  async sync(timeoutMs: number): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt < SYNC_TRIES; attempt++) {
      const nonce = ++this.nonce;
      try {
        // Two Ctrl-Cs: interrupts sent after the prompt showed may have left U-Boot's line
        // editor inside an escape sequence (ESC is the default interrupt), which then takes the
        // first Ctrl-C as a character of the line; the second one clears the line.
        await this.console.send("\u0003\u0003");
        await this.console.send(`echo dk""s${nonce}${this.options.lineEnding}`);
        await this.console.expect(new RegExp(`\\ndks${nonce}\\r?\\n`), {
          timeout: timeoutMs,
          ignoreBadPatterns: true,
        });
        await this.console.expect(this.options.prompt, { timeout: timeoutMs, ignoreBadPatterns: true });
        this.lost = false;
        return;
      } catch (error) {
        last = error;
        await sleep(0);
      }
    }
    throw asUbootError(
      new UbootNoPromptError(
        `U-Boot did not answer at its prompt (${SYNC_TRIES} tries): ${String((last as Error)?.message ?? last)}`,
        { cause: last },
      ),
      "finding the U-Boot prompt",
    );
  }

  /** Runs a command; resolves with its output (the echoed line left out, LF line ends). */
  async run(cmd: string, options: CommandOptions): Promise<string> {
    checkTypable(cmd, "the command");
    if (cmd.length > this.options.maxLineLength) {
      throw new InvalidArgumentError(
        `the command is ${cmd.length} characters long; U-Boot takes at most ${this.options.maxLineLength} ` +
          "(max_line_length, CONFIG_SYS_CBSIZE - 1): split it, or put long values in variables first",
      );
    }
    if (this.lost) await this.sync(this.options.echoTimeoutMs);
    this.lost = true;
    try {
      await this.type(cmd);
      await this.console.send(this.options.lineEnding);
      const r = await this.console.expect(`\n${this.options.prompt}`, {
        timeout: options.timeoutMs,
        ...(options.ignoreBadPatterns !== undefined ? { ignoreBadPatterns: options.ignoreBadPatterns } : {}),
      });
      this.lost = false;
      return normalizeNewlines(r.before).replace(/^\n/, "");
    } catch (error) {
      if (error instanceof InvalidArgumentError) await this.sync(this.options.echoTimeoutMs).catch(() => {});
      throw asUbootError(error, `running ${JSON.stringify(cmd)}`);
    }
  }

  /** Runs a command and its exit status: `{ exitCode, output }` (the marker line left out). */
  async runWithStatus(cmd: string, options: CommandOptions): Promise<{ exitCode: number; output: string }> {
    const { line, pattern } = withMarker(cmd, ++this.nonce);
    const full = await this.run(line, options);
    const m = pattern.exec(full);
    if (!m) {
      throw new UbootNoPromptError(
        `running ${JSON.stringify(cmd)}: U-Boot never printed the exit status; output: ` +
          `${JSON.stringify(full.slice(-500))}. An unclosed quote or if/for block in the command keeps ` +
          "the shell waiting for more; close it",
      );
    }
    const output = full.slice(0, m.index) + full.slice(m.index + m[0].length);
    return { exitCode: Number(m[1]), output: output.replace(/^\n/, "") };
  }

  /** Like `runWithStatus`, but a non-zero exit status throws UbootCommandError with the output. */
  async runChecked(cmd: string, options: CommandOptions): Promise<string> {
    const { exitCode, output } = await this.runWithStatus(cmd, options);
    if (exitCode !== 0) throw new UbootCommandError(cmd, exitCode, output);
    return output;
  }

  /** Types a line in chunks, each after the previous one was echoed (slow UARTs drop input). */
  private async type(line: string): Promise<void> {
    const size = this.options.chunkSize > 0 ? this.options.chunkSize : line.length;
    for (let at = 0; at < line.length; at += size) {
      const chunk = line.slice(at, at + size);
      await this.console.send(chunk);
      const r = await this.console.expect([chunk, "\u0007"], {
        timeout: this.options.echoTimeoutMs,
        ignoreBadPatterns: true,
      });
      if (r.index === 1) {
        throw new InvalidArgumentError(
          `U-Boot rang the bell after ${at} characters of a ${line.length}-character line: its line buffer ` +
            "is full. Lower max_line_length to what the board takes (CONFIG_SYS_CBSIZE - 2) and split the command",
        );
      }
    }
  }
}
