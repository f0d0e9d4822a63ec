import type { SearchPattern } from "./patterns.ts";

/**
 * The text received and not yet consumed by a match, as a list of chunks with absolute
 * positions (characters since the console opened). It holds at most `max` characters: beyond
 * that the oldest are dropped. Appending never copies earlier text, and a search only reads the
 * window it needs, so scanning a long stream costs time in proportion to its length.
 */
export class MatchBuffer {
  private chunks: string[] = [];
  private starts: number[] = [];
  private head = 0;
  /** Absolute position of the first character held. */
  start = 0;
  /** Absolute position just after the last character held. */
  end = 0;

  constructor(private readonly max: number) {}

  get length(): number {
    return this.end - this.start;
  }

  /** Adds text; returns how many of the oldest characters were dropped to stay within `max`. */
  append(text: string): number {
    if (text.length === 0) return 0;
    this.chunks.push(text);
    this.starts.push(this.end);
    this.end += text.length;
    return this.length > this.max ? this.consume(this.end - this.max) : 0;
  }

  /** Drops everything before absolute position `to`; returns how many characters went. */
  consume(to: number): number {
    const target = Math.min(Math.max(to, this.start), this.end);
    const dropped = target - this.start;
    while (this.head < this.chunks.length) {
      const chunkEnd = this.starts[this.head]! + this.chunks[this.head]!.length;
      if (chunkEnd > target) break;
      this.head++;
    }
    if (this.head < this.chunks.length && this.starts[this.head]! < target) {
      const cut = target - this.starts[this.head]!;
      this.chunks[this.head] = this.chunks[this.head]!.slice(cut);
      this.starts[this.head] = target;
    }
    this.start = target;
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /** The text between two absolute positions (clamped to what is held). */
  text(from = this.start, to = this.end): string {
    const a = Math.max(from, this.start);
    const b = Math.min(to, this.end);
    if (b <= a) return "";
    let i = this.findChunk(a);
    let out = "";
    while (i < this.chunks.length && this.starts[i]! < b) {
      const chunk = this.chunks[i]!;
      const s = this.starts[i]!;
      out += a > s || b < s + chunk.length ? chunk.slice(Math.max(0, a - s), b - s) : chunk;
      i++;
    }
    return out;
  }

  /** Index of the chunk holding absolute position `pos` (binary search). */
  private findChunk(pos: number): number {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

export interface Found {
  /** The pattern's index in the list searched. */
  index: number;
  /** Absolute start and end of the match. */
  start: number;
  end: number;
  /** [0] the matched text, [1…] capture groups; `groups` the named ones. */
  match: RegExpMatchArray;
}

/** How many characters before a RegExp's window are shown to it, for `\b`, `^` with `m`, lookbehind. */
const REGEXP_CONTEXT = 64;

/**
 * Searches `buffer` for the earliest match of any pattern that can end after absolute position
 * `searched` (everything before was searched already). A string can only newly match within
 * its length of the new text; a RegExp match must start at most `regexWindow` characters before
 * the new text. Ties go to the lower pattern index.
 */
export function searchNew(
  buffer: MatchBuffer,
  patterns: readonly SearchPattern[],
  searched: number,
  regexWindow: number,
): Found | undefined {
  if (patterns.length === 0 || buffer.end <= searched) return undefined;
  const from = Math.max(searched, buffer.start);
  const firstStart = (p: SearchPattern) =>
    Math.max(buffer.start, from - (p.kind === "string" ? p.text.length - 1 : regexWindow));
  let windowStart = buffer.end;
  for (const p of patterns) {
    const s = firstStart(p) - (p.kind === "regexp" ? REGEXP_CONTEXT : 0);
    if (s < windowStart) windowStart = s;
  }
  windowStart = Math.max(windowStart, buffer.start);
  const text = buffer.text(windowStart, buffer.end);
  let best: Found | undefined;
  for (const p of patterns) {
    const offset = firstStart(p) - windowStart;
    if (p.kind === "string") {
      const at = text.indexOf(p.text, offset);
      if (at < 0) continue;
      const start = windowStart + at;
      if (best && (start > best.start || (start === best.start && p.index > best.index))) continue;
      const match = [p.text] as RegExpMatchArray;
      best = { index: p.index, start, end: start + p.text.length, match };
    } else {
      p.re.lastIndex = offset;
      const m = p.re.exec(text);
      if (!m) continue;
      const start = windowStart + m.index;
      if (best && (start > best.start || (start === best.start && p.index > best.index))) continue;
      best = { index: p.index, start, end: start + m[0].length, match: m };
    }
  }
  return best;
}
