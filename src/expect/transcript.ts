import { printableLines } from "./escape.ts";

/** `in`: bytes from the device; `out`: bytes sent to it; `note`: what the console did. */
export type TranscriptDirection = "in" | "out" | "note";

export interface TranscriptEntry {
  /** `Date.now()` when recorded. */
  time: number;
  /** Position in the transcript: 0 for the first entry ever recorded, then 1, 2, … */
  seq: number;
  direction: TranscriptDirection;
  data: Buffer;
}

export interface TranscriptOptions {
  /** A name for reports, e.g. the driver path `serial`. */
  name?: string;
  /** Bytes kept at most; the oldest entries are dropped beyond it (default 32 MiB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** Closed transcripts kept for `recentTranscripts`, so a test's report can include them. */
const KEEP_CLOSED = 32;
const live = new Set<Transcript>();
const closed: Transcript[] = [];

/** A point in a transcript (`mark()`), exact where a time may be shared by several entries. */
export interface TranscriptMark {
  seq: number;
}

/**
 * Every byte in and out of a console, timestamped. `slice(since)` gives the entries from a point
 * in time, so a fixture can attach the part of the transcript that belongs to one test.
 */
export class Transcript {
  readonly name: string;
  private readonly maxBytes: number;
  private entries: TranscriptEntry[] = [];
  private head = 0;
  private bytes = 0;
  private nextSeq = 0;
  /** Bytes dropped from the front to stay within `maxBytes`. */
  droppedBytes = 0;

  constructor(options: TranscriptOptions = {}) {
    this.name = options.name ?? "console";
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(this.maxBytes > 0)) throw new RangeError(`transcript maxBytes must be > 0, not ${this.maxBytes}`);
    live.add(this);
  }

  record(direction: TranscriptDirection, data: Buffer | string): void {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (bytes.length === 0) return;
    this.entries.push({ time: Date.now(), seq: this.nextSeq++, direction, data: bytes });
    this.bytes += bytes.length;
    while (this.bytes > this.maxBytes && this.head < this.entries.length - 1) {
      const first = this.entries[this.head++]!;
      this.bytes -= first.data.length;
      this.droppedBytes += first.data.length;
    }
    // Compact now and then so dropped entries can be collected.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  note(text: string): void {
    this.record("note", text);
  }

  /** The point after the last entry so far, for `slice`. */
  mark(): TranscriptMark {
    return { seq: this.nextSeq };
  }

  /**
   * Entries at or after `since`: a time (`Date.now()` taken when a test started) or a `mark()`.
   * Without it, every entry kept.
   */
  slice(since: number | TranscriptMark = 0): TranscriptEntry[] {
    const out: TranscriptEntry[] = [];
    const key = typeof since === "number" ? "time" : "seq";
    const from = typeof since === "number" ? since : since.seq;
    for (let i = this.entries.length - 1; i >= this.head; i--) {
      const entry = this.entries[i]!;
      if (entry[key] < from) break;
      out.push(entry);
    }
    return out.reverse();
  }

  /** When the last entry was recorded; 0 if none. */
  get lastTime(): number {
    return this.entries.length > this.head ? this.entries[this.entries.length - 1]!.time : 0;
  }

  /** Human-readable text of `entries` (default: all kept): one block per direction change. */
  format(entries: readonly TranscriptEntry[] = this.slice()): string {
    const lines: string[] = [];
    if (this.droppedBytes > 0 && entries[0] === this.entries[this.head]) {
      lines.push(`[${this.droppedBytes} older bytes dropped: transcript limit ${this.maxBytes} bytes]`);
    }
    let i = 0;
    while (i < entries.length) {
      const first = entries[i]!;
      const parts: Buffer[] = [];
      while (i < entries.length && entries[i]!.direction === first.direction) parts.push(entries[i++]!.data);
      const stamp = new Date(first.time).toISOString().slice(11, 23);
      const text = printableLines(Buffer.concat(parts).toString("utf8"));
      const mark = first.direction === "in" ? "<" : first.direction === "out" ? ">" : "#";
      lines.push(`${stamp} ${mark} ${text.replaceAll("\n", `\n${" ".repeat(15)}`)}`);
    }
    return lines.join("\n");
  }

  /** Stops listing it as live; it stays available to `recentTranscripts` for a while. */
  close(): void {
    if (!live.delete(this)) return;
    closed.push(this);
    if (closed.length > KEEP_CLOSED) closed.shift();
  }
}

/** Transcripts, open or recently closed, with entries at or after `since` (for test reports). */
export function recentTranscripts(since: number): Transcript[] {
  return [...live, ...closed].filter((t) => t.lastTime >= since);
}
