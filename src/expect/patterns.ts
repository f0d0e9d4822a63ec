/** Matches when the stream ends (the device closed the line or the port went away). */
export const EOF: unique symbol = Symbol("EOF");
/** Matches when the wait times out, instead of throwing. */
export const TIMEOUT: unique symbol = Symbol("TIMEOUT");

/** What `expect` waits for: text, a RegExp, or one of the EOF / TIMEOUT sentinels. */
export type Pattern = string | RegExp | typeof EOF | typeof TIMEOUT;

/** A pattern prepared for repeated searches. */
export type SearchPattern =
  | { kind: "string"; index: number; text: string }
  | { kind: "regexp"; index: number; source: RegExp; re: RegExp };

/** How a pattern is named in messages: strings quoted and escaped, RegExps as written. */
export function describePattern(pattern: Pattern): string {
  if (pattern === EOF) return "EOF";
  if (pattern === TIMEOUT) return "TIMEOUT";
  if (pattern instanceof RegExp) return String(pattern);
  return JSON.stringify(pattern);
}

/**
 * The search form of a pattern; `undefined` for EOF and TIMEOUT. RegExps get the `g` flag so a
 * search can start at an offset (`lastIndex`) without slicing the text: `^` then still means the
 * start of the buffer, and lookbehinds see the text before the search window.
 */
export function toSearchPattern(pattern: Pattern, index: number, what: string): SearchPattern | undefined {
  if (pattern === EOF || pattern === TIMEOUT) return undefined;
  if (typeof pattern === "string") {
    if (pattern.length === 0) {
      throw new TypeError(`${what}: an empty string matches anywhere; give the text to wait for`);
    }
    return { kind: "string", index, text: pattern };
  }
  if (pattern instanceof RegExp) {
    const flags = pattern.flags.replace(/[gy]/g, "");
    return { kind: "regexp", index, source: pattern, re: new RegExp(pattern.source, `${flags}g`) };
  }
  throw new TypeError(
    `${what}: ${String(pattern)} is not a pattern; use a string, a RegExp, EOF or TIMEOUT (from dutkit's expect module)`,
  );
}
