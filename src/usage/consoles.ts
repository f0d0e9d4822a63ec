/**
 * Console transcripts linked from the lease-usage report: one text file per console a test used,
 * in `<outputDir>/consoles/<runner>/` (a directory per runner, so that one runner's clean-up leaves
 * the other's transcripts alone). The reporter owns only the files it names (`NNNN-<test>-<console>.txt`
 * and their temporary files); anything else in that directory is left alone.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { messageOf } from "../core/errors.ts";
import type { ConsoleLink } from "./report-schema.ts";

/** The directory under the output directory that holds the transcripts. */
export const CONSOLES_DIR = "consoles";

export interface ConsoleTranscript {
  /** The console's name, e.g. the driver path `serial`. */
  name: string;
  text: string;
}

const ownedFile = /^\d{4,}-[A-Za-z0-9_.-]+\.txt$/;
const ownedTempFile = /^\.\d{4,}-[A-Za-z0-9_.-]+\.txt\.\d+\.tmp$/;
const TEST_PART_MAX = 60;
const CONSOLE_PART_MAX = 40;

/**
 * A piece of a file name: letters and digits kept (accents dropped), every other run of characters
 * turned into one `-`, cut to `maxLength`. Never empty, never `.` or `..`, never a path.
 */
export function fileNamePart(text: string, maxLength: number, fallback: string): string {
  const part = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_.]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .slice(0, maxLength)
    .replace(/^[-.]+|[-.]+$/g, "");
  return part === "" ? fallback : part;
}

/** An attachment as vitest (`body` string + `bodyEncoding`) or Playwright (`body` Buffer) hands it over. */
export interface TranscriptAttachment {
  body?: string | Uint8Array | undefined;
  bodyEncoding?: "base64" | "utf-8" | undefined;
  path?: string | undefined;
}

/** The attachment's text, or what is wrong with it. A string body without `bodyEncoding` is base64, as in vitest. */
export function attachmentText(attachment: TranscriptAttachment): { text: string } | { problem: string } {
  const { body, path } = attachment;
  if (body instanceof Uint8Array) return { text: Buffer.from(body).toString("utf8") };
  if (typeof body === "string") {
    return {
      text: attachment.bodyEncoding === "utf-8" ? body : Buffer.from(body, "base64").toString("utf8"),
    };
  }
  if (!path) return { problem: "has neither a body nor a path" };
  try {
    return { text: readFileSync(path, "utf8") };
  } catch (error) {
    return { problem: `cannot be read (${messageOf(error)})` };
  }
}

/** The transcript files of one run in one output directory. */
export class ConsoleTranscriptFiles {
  readonly dir: string;
  /** The directory relative to the output directory, `/`-separated, as links start. */
  readonly #linkDir: string;
  #count = 0;
  /** File names written by this run, to remove again those the report ends up not linking. */
  readonly #written = new Set<string>();

  constructor(outputDir: string, runner: string) {
    this.#linkDir = `${CONSOLES_DIR}/${runner}`;
    this.dir = join(outputDir, CONSOLES_DIR, runner);
  }

  /** Removes the transcript files an earlier run left here; returns the problems, if any. */
  clear(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      return [
        `cannot list ${this.dir} to remove the previous run's console transcripts (${messageOf(error)})`,
      ];
    }
    return this.#remove(names.filter((n) => ownedFile.test(n) || ownedTempFile.test(n)));
  }

  /**
   * Writes one test's transcripts, each atomically (a temporary file, then a rename), and returns
   * their links relative to the output directory. Throws if a file cannot be written.
   */
  write(testName: string, transcripts: readonly ConsoleTranscript[]): ConsoleLink[] {
    if (transcripts.length === 0) return [];
    this.#count += 1;
    const prefix = `${String(this.#count).padStart(4, "0")}-${fileNamePart(testName, TEST_PART_MAX, "test")}`;
    mkdirSync(this.dir, { recursive: true });
    const taken = new Set<string>();
    return transcripts.map(({ name, text }) => {
      const base = `${prefix}-${fileNamePart(name, CONSOLE_PART_MAX, "console")}`;
      let file = `${base}.txt`;
      // Two console names can look alike once made safe; bounded by the number of transcripts.
      for (let n = 2; taken.has(file); n++) file = `${base}-${n}.txt`;
      taken.add(file);
      this.#writeAtomically(file, text);
      return { name, file: `${this.#linkDir}/${file}` };
    });
  }

  /** Removes this run's files that `linked` (links as `write` returned them) does not hold, and the directory if empty. */
  prune(linked: ReadonlySet<string>): string[] {
    const stale = [...this.#written].filter((file) => !linked.has(`${this.#linkDir}/${file}`));
    const problems = this.#remove(stale);
    for (const dir of [this.dir, dirname(this.dir)]) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty (or not there): it stays.
      }
    }
    return problems;
  }

  #writeAtomically(file: string, text: string): void {
    const temp = join(this.dir, `.${file}.${process.pid}.tmp`);
    try {
      writeFileSync(temp, text);
      renameSync(temp, join(this.dir, file));
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    this.#written.add(file);
  }

  #remove(names: readonly string[]): string[] {
    const problems: string[] = [];
    for (const name of names) {
      try {
        rmSync(join(this.dir, name), { force: true });
        this.#written.delete(name);
      } catch (error) {
        problems.push(
          `cannot remove the stale console transcript ${join(this.dir, name)} (${messageOf(error)})`,
        );
      }
    }
    return problems;
  }
}
