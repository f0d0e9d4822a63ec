import { DutkitError, type ErrorCode } from "../core/errors.ts";
import { lastSeen } from "./escape.ts";

/** What every expect error carries: the patterns waited for and the text seen last. */
export interface ExpectErrorContext {
  /** The patterns of the wait, as written in messages (`"=> "`, `/U-Boot \d+/`). */
  patterns: string[];
  /** Unmatched text buffered when the wait failed (what the device sent since the last match). */
  buffer: string;
}

export abstract class ExpectError extends DutkitError {
  readonly patterns: string[];
  readonly buffer: string;
  constructor(code: ErrorCode, message: string, context: ExpectErrorContext, options?: ErrorOptions) {
    super(code, message, options);
    this.patterns = context.patterns;
    this.buffer = context.buffer;
  }
}

function waitedFor(context: ExpectErrorContext): string {
  return context.patterns.join(", ");
}

/** The wait ran out of time and TIMEOUT was not among the patterns. */
export class ExpectTimeoutError extends ExpectError {
  readonly timeout: number;
  constructor(timeout: number, context: ExpectErrorContext, extra = "") {
    super(
      "ERR_DUTKIT_EXPECT_TIMEOUT",
      `expect timed out after ${timeout} ms waiting for ${waitedFor(context)}; last seen: ` +
        `${lastSeen(context.buffer)}${extra}. If the device is slow, raise { timeout }; if the text ` +
        "differs, fix the pattern",
      context,
    );
    this.timeout = timeout;
  }
}

/** The stream ended (or failed) and EOF was not among the patterns. */
export class ExpectEofError extends ExpectError {
  constructor(context: ExpectErrorContext, reason: string, options?: ErrorOptions) {
    super(
      "ERR_DUTKIT_EXPECT_EOF",
      `${reason} while waiting for ${waitedFor(context)}; last seen: ${lastSeen(context.buffer)}. ` +
        "Check that the device is connected and powered; add EOF to the patterns if the end is expected",
      context,
      options,
    );
  }
}

/** A bad pattern (an error the device printed) matched before what the wait was for. */
export class ExpectBadPatternError extends ExpectError {
  /** The bad pattern's name, e.g. `unknown_command` (`name` stays the class name). */
  readonly badPattern: string;
  /** The text the bad pattern matched. */
  readonly matched: string;
  constructor(name: string, pattern: string, matched: string, context: ExpectErrorContext) {
    super(
      "ERR_DUTKIT_EXPECT_BAD_PATTERN",
      `bad pattern "${name}" (${pattern}) matched ${lastSeen(matched, 120)} while waiting for ` +
        `${waitedFor(context)}; output before it: ${lastSeen(context.buffer)}. The device reported an ` +
        `error; if this output is expected here, use withoutBadPatterns(["${name}"], …) or ` +
        `{ ignoreBadPatterns: ["${name}"] }`,
      context,
    );
    this.badPattern = name;
    this.matched = matched;
  }
}

/** Another expect is still waiting on the same console, or the console is closed. */
export class ExpectStateError extends DutkitError {}
