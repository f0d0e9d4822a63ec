/**
 * The spool: a directory of JSON-lines files, one per process, through which test workers and
 * global setup hand lease lifecycle events to the reporter in the main process.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LeaseEvent, leaseEventSchema, USAGE_SPOOL_ENV } from "./events.ts";

let writeFailureReported = false;

/**
 * Appends one lease event to this process's spool file. Does nothing when no reporter set up a
 * spool. Never throws: usage recording must not fail a test, so a write error is reported once as
 * a process warning and later events are dropped the same way.
 */
export function recordLeaseEvent(event: LeaseEvent): void {
  const dir = process.env[USAGE_SPOOL_ENV];
  if (!dir) return;
  try {
    appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(event)}\n`);
  } catch (error) {
    if (writeFailureReported) return;
    writeFailureReported = true;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(
      `dutkit could not record lease usage in ${dir} (${reason}); the lease-usage report will miss ` +
        `events from process ${process.pid}. Check that ${USAGE_SPOOL_ENV} names a writable directory.`,
      { code: "DUTKIT_USAGE_SPOOL_WRITE" },
    );
  }
}

export interface SpoolContents {
  /** In file order within each process, files in name order; the report builder sorts by time. */
  events: LeaseEvent[];
  /** One line per ignored line or unreadable file. */
  warnings: string[];
}

/** Lines reported individually per file before the rest are only counted. */
const warningsPerFile = 5;

/** Reads every `*.jsonl` file in `dir`, keeping valid events and warning about the other lines. */
export function readLeaseEvents(dir: string): SpoolContents {
  const events: LeaseEvent[] = [];
  const warnings: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith(".jsonl"))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { events, warnings };
    throw error;
  }
  for (const file of files) {
    const problems: string[] = [];
    const lines = readFileSync(join(dir, file), "utf8").split("\n");
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      const problem = parseEventLine(line, events);
      if (problem) problems.push(`${file}:${index + 1}: ${problem}`);
    });
    warnings.push(...problems.slice(0, warningsPerFile).map((p) => `lease-usage spool ${p}; line ignored`));
    if (problems.length > warningsPerFile) {
      warnings.push(`lease-usage spool ${file}: ${problems.length - warningsPerFile} more bad lines ignored`);
    }
  }
  return { events, warnings };
}

/** Adds the line's event to `events`, or returns what is wrong with the line. */
function parseEventLine(line: string, events: LeaseEvent[]): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "is not JSON (a write cut short by a killed worker looks like this)";
  }
  const parsed = leaseEventSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    return `is not a lease event (${issue?.message ?? "invalid"}${where})`;
  }
  events.push(parsed.data);
  return undefined;
}

/**
 * A spool owned by one reporter. Creating it makes a fresh directory and points
 * `DUTKIT_USAGE_SPOOL` at it, so that workers spawned afterwards inherit it.
 */
export class UsageSpool {
  readonly dir: string;
  readonly #previousEnv: string | undefined;

  private constructor(dir: string, previousEnv: string | undefined) {
    this.dir = dir;
    this.#previousEnv = previousEnv;
  }

  static create(): UsageSpool {
    const previous = process.env[USAGE_SPOOL_ENV];
    const spool = new UsageSpool(mkdtempSync(join(tmpdir(), "dutkit-usage-")), previous);
    process.env[USAGE_SPOOL_ENV] = spool.dir;
    return spool;
  }

  /** Makes the spool usable again after `close()`, for the next run of a watch session. */
  reopen(): void {
    mkdirSync(this.dir, { recursive: true });
    process.env[USAGE_SPOOL_ENV] = this.dir;
  }

  read(): SpoolContents {
    return readLeaseEvents(this.dir);
  }

  /** Deletes the directory and gives the env var back its value from before `create()`. */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
    if (process.env[USAGE_SPOOL_ENV] !== this.dir) return;
    if (this.#previousEnv === undefined) delete process.env[USAGE_SPOOL_ENV];
    else process.env[USAGE_SPOOL_ENV] = this.#previousEnv;
  }
}
