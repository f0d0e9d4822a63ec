import type { Duplex, Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { messageOf } from "../core/errors.ts";
import { type BadPattern, BadPatternSet } from "./bad-patterns.ts";
import {
  ExpectBadPatternError,
  ExpectEofError,
  type ExpectErrorContext,
  ExpectStateError,
  ExpectTimeoutError,
} from "./errors.ts";
import { type Found, MatchBuffer, searchNew } from "./match-buffer.ts";
import {
  describePattern,
  EOF,
  type Pattern,
  type SearchPattern,
  TIMEOUT,
  toSearchPattern,
} from "./patterns.ts";
import { Transcript } from "./transcript.ts";

export const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface ExpectConsoleOptions {
  /** Name in transcripts and reports, e.g. the driver path. */
  name?: string;
  /** Default wait of `expect`, in milliseconds (30 000). */
  timeout?: number;
  /** Characters of unmatched output kept at most; the oldest are dropped beyond (1 MiB). */
  maxBuffer?: number;
  /** How far back before new output a RegExp match may start, in characters (4096). */
  regexWindow?: number;
  /** How received bytes become text: `utf8` (default) or `latin1` (one character per byte). */
  encoding?: "utf8" | "latin1";
  /** What `sendline` appends (`"\n"`). */
  lineEnding?: string;
  /** Output that fails any wait at once, e.g. `UBOOT_BAD_PATTERNS`. */
  badPatterns?: readonly BadPattern[];
  /** Bytes of transcript kept (32 MiB). */
  transcriptMaxBytes?: number;
}

export interface ExpectOptions {
  /** Milliseconds to wait; default: the console's timeout. */
  timeout?: number;
  /** Bad patterns not to look for in this wait: their names, or true for none at all. */
  ignoreBadPatterns?: readonly string[] | boolean;
}

export interface ExpectResult {
  /** Index of the pattern that matched, in the list given to `expect`. */
  index: number;
  pattern: Pattern;
  /** [0] the matched text, [1…] capture groups, `.groups` named groups; null for EOF and TIMEOUT. */
  match: RegExpMatchArray | null;
  /** The text before the match (for EOF and TIMEOUT: all unmatched text). */
  before: string;
  /** As in pexpect: the matched text ("" for EOF and TIMEOUT). Text after it stays buffered. */
  after: string;
}

interface Waiter {
  patterns: readonly Pattern[];
  search: SearchPattern[];
  bad: BadPattern[];
  searched: number;
  timer: NodeJS.Timeout;
  timeout: number;
  resolve(result: ExpectResult): void;
  reject(error: Error): void;
}

/** A duplex, a read-only stream (no `send`), or a separate readable and writable. */
type StreamLike = Duplex | Readable | { readable: Readable; writable?: Writable };

/**
 * pexpect-style waiting over any byte stream (a serial connection, a socket, a child's stdio).
 * Output is buffered from the moment the console is made; `expect` finds the earliest match of
 * its patterns in the buffered and then the arriving text. Every byte in and out is kept in
 * `transcript`.
 */
export class ExpectConsole {
  readonly transcript: Transcript;
  readonly badPatterns: BadPatternSet;
  /** Characters of unmatched output dropped because the buffer was full. */
  droppedChars = 0;
  private readonly readable: Readable;
  private readonly writable: Writable | undefined;
  private readonly buffer: MatchBuffer;
  private readonly decoder: StringDecoder;
  private readonly timeout: number;
  private readonly regexWindow: number;
  private readonly lineEnding: string;
  private readonly maxBuffer: number;
  private waiter: Waiter | undefined;
  private ended: { reason: string; error?: unknown } | undefined;
  private droppedNoted = false;
  private readonly listeners: [string, (...args: any[]) => void][];

  constructor(stream: StreamLike, options: ExpectConsoleOptions = {}) {
    if (isStream(stream)) {
      this.readable = stream as Readable;
      this.writable = typeof (stream as Duplex).write === "function" ? (stream as Duplex) : undefined;
    } else {
      const pair = stream as { readable: Readable; writable?: Writable };
      this.readable = pair.readable;
      this.writable = pair.writable;
    }
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS, "ExpectConsole timeout");
    this.maxBuffer = positive(options.maxBuffer ?? 1024 * 1024, "maxBuffer");
    this.regexWindow = positive(options.regexWindow ?? 4096, "regexWindow");
    this.lineEnding = options.lineEnding ?? "\n";
    this.buffer = new MatchBuffer(this.maxBuffer);
    this.decoder = new StringDecoder(options.encoding ?? "utf8");
    this.badPatterns = new BadPatternSet(options.badPatterns);
    this.transcript = new Transcript({
      name: options.name ?? "console",
      ...(options.transcriptMaxBytes ? { maxBytes: options.transcriptMaxBytes } : {}),
    });
    this.listeners = [
      ["data", (chunk: Buffer | string) => this.onData(chunk)],
      ["end", () => this.onEnd("the stream ended")],
      ["close", () => this.onEnd("the stream closed")],
      ["error", (error: Error) => this.onEnd(`the stream failed: ${messageOf(error)}`, error)],
    ];
    for (const [event, fn] of this.listeners) this.readable.on(event, fn);
    if (this.readable.readableEnded || this.readable.destroyed) this.onEnd("the stream had already ended");
  }

  /** Unmatched output received so far. */
  get pending(): string {
    return this.buffer.text();
  }

  /**
   * Waits for the first of `patterns` to appear. Resolves with which one matched, the text before
   * it and the match; throws ExpectTimeoutError, ExpectEofError or ExpectBadPatternError unless
   * TIMEOUT or EOF is among the patterns.
   */
  expect(patterns: Pattern | readonly Pattern[], options: ExpectOptions = {}): Promise<ExpectResult> {
    const list: readonly Pattern[] = Array.isArray(patterns) ? patterns : [patterns as Pattern];
    if (list.length === 0) return Promise.reject(new TypeError("expect: give at least one pattern"));
    if (this.waiter) {
      return Promise.reject(
        new ExpectStateError(
          "ERR_DUTKIT_EXPECT_BUSY",
          `expect(${list.map(describePattern).join(", ")}): another expect is still waiting on ` +
            `${this.transcript.name}; await it before starting the next`,
        ),
      );
    }
    let search: SearchPattern[];
    let bad: BadPattern[];
    let timeout: number;
    try {
      timeout = checkTimeout(options.timeout ?? this.timeout, "expect timeout");
      search = list.flatMap((p, i) => toSearchPattern(p, i, "expect") ?? []);
      bad = this.badPatterns.active(options.ignoreBadPatterns ?? false);
      for (const [i, b] of bad.entries()) {
        search.push(toSearchPattern(b.pattern, list.length + i, `bad pattern ${b.name}`)!);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<ExpectResult>((resolve, reject) => {
      const waiter: Waiter = {
        patterns: list,
        search,
        bad,
        searched: this.buffer.start,
        timeout,
        timer: setTimeout(() => this.onTimeout(waiter), timeout),
        resolve,
        reject,
      };
      this.waiter = waiter;
      this.droppedNoted = false;
      this.check(waiter);
    });
  }

  /** Runs `fn` with the named bad patterns (or "all") switched off, then switches them back on. */
  async withoutBadPatterns<T>(names: readonly string[] | "all", fn: () => Promise<T> | T): Promise<T> {
    const restore = this.badPatterns.switchOff(names);
    try {
      return await fn();
    } finally {
      restore();
    }
  }

  /** Writes bytes to the device; resolves once the stream took them. */
  send(data: string | Buffer): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const out = this.writable;
    if (!out || out.destroyed || out.writableEnded) {
      return Promise.reject(
        new ExpectStateError(
          "ERR_DUTKIT_EXPECT_CLOSED",
          `cannot send to ${this.transcript.name}: its stream is ${out ? "closed" : "read-only"}; open a new console`,
        ),
      );
    }
    this.transcript.record("out", bytes);
    return new Promise((resolve, reject) => {
      out.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** `send(text + lineEnding)`. */
  sendline(text = ""): Promise<void> {
    return this.send(text + this.lineEnding);
  }

  /** Detaches from the stream and destroys it; a waiting expect fails with ExpectEofError. */
  close(): void {
    for (const [event, fn] of this.listeners) this.readable.off(event, fn);
    // Keep an error listener: a late error of a destroyed stream must not crash the process.
    this.readable.on("error", () => {});
    this.onEnd("the console was closed");
    this.readable.destroy();
    if (this.writable && (this.writable as unknown) !== this.readable) this.writable.destroy();
    this.transcript.close();
  }

  private onData(chunk: Buffer | string) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.transcript.record("in", bytes);
    this.addText(this.decoder.write(bytes));
  }

  private addText(text: string) {
    const dropped = this.buffer.append(text);
    if (dropped > 0) {
      this.droppedChars += dropped;
      if (!this.droppedNoted) {
        this.droppedNoted = true;
        this.transcript.note(
          `expect buffer full (maxBuffer ${this.maxBuffer} characters): dropping the oldest unmatched output`,
        );
      }
    }
    if (this.waiter) this.check(this.waiter);
  }

  private onEnd(reason: string, error?: unknown) {
    if (this.ended) return;
    const rest = this.decoder.end();
    if (rest) this.addText(rest);
    this.ended = error === undefined ? { reason } : { reason, error };
    this.transcript.note(reason);
    if (this.waiter) this.check(this.waiter);
  }

  private check(waiter: Waiter) {
    const found = searchNew(this.buffer, waiter.search, waiter.searched, this.regexWindow);
    waiter.searched = this.buffer.end;
    if (found) return this.matched(waiter, found);
    if (!this.ended) return;
    const eof = waiter.patterns.indexOf(EOF);
    if (eof >= 0) {
      const before = this.buffer.text();
      this.buffer.consume(this.buffer.end);
      return this.finish(waiter, { index: eof, pattern: EOF, match: null, before, after: "" });
    }
    const options = this.ended.error === undefined ? undefined : { cause: this.ended.error };
    this.fail(waiter, new ExpectEofError(this.context(waiter), this.ended.reason, options));
  }

  private matched(waiter: Waiter, found: Found) {
    const before = this.buffer.text(this.buffer.start, found.start);
    const after = this.buffer.text(found.start, found.end);
    this.buffer.consume(found.end);
    if (found.index >= waiter.patterns.length) {
      const bad = waiter.bad[found.index - waiter.patterns.length]!;
      const context = { ...this.context(waiter), buffer: before };
      this.transcript.note(`bad pattern "${bad.name}" matched`);
      return this.fail(
        waiter,
        new ExpectBadPatternError(bad.name, describePattern(bad.pattern), after, context),
      );
    }
    const pattern = waiter.patterns[found.index]!;
    this.finish(waiter, { index: found.index, pattern, match: found.match, before, after });
  }

  private onTimeout(waiter: Waiter) {
    if (this.waiter !== waiter) return;
    const index = waiter.patterns.indexOf(TIMEOUT);
    if (index >= 0) {
      return this.finish(waiter, {
        index,
        pattern: TIMEOUT,
        match: null,
        before: this.buffer.text(),
        after: "",
      });
    }
    const dropped = this.droppedChars > 0 ? ` (${this.droppedChars} older characters were dropped)` : "";
    this.fail(waiter, new ExpectTimeoutError(waiter.timeout, this.context(waiter), dropped));
  }

  private context(waiter: Waiter): ExpectErrorContext {
    const tail = this.buffer.text(this.buffer.end - 4096);
    return { patterns: waiter.patterns.map(describePattern), buffer: tail };
  }

  private finish(waiter: Waiter, result: ExpectResult) {
    clearTimeout(waiter.timer);
    this.waiter = undefined;
    waiter.resolve(result);
  }

  private fail(waiter: Waiter, error: Error) {
    clearTimeout(waiter.timer);
    this.waiter = undefined;
    waiter.reject(error);
  }
}

function isStream(value: object): boolean {
  return typeof (value as { pipe?: unknown }).pipe === "function";
}

function checkTimeout(ms: number, what: string): number {
  if (typeof ms !== "number" || !(ms >= 0) || ms > MAX_TIMEOUT_MS) {
    throw new RangeError(
      `${what} must be a number of milliseconds from 0 to ${MAX_TIMEOUT_MS}, not ${String(ms)}`,
    );
  }
  return ms;
}

function positive(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${what} must be a positive integer, not ${value}`);
  return value;
}
