/**
 * One reporter's side of lease-usage recording, shared by the vitest and Playwright reporters:
 * owns the spool, collects test records, and at the end builds and writes the report.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { z } from "zod";
import { DutkitError, messageOf } from "../core/errors.ts";
import { type ConsoleTranscript, ConsoleTranscriptFiles } from "./consoles.ts";
import type { Runner } from "./events.ts";
import { appendHistory, DEFAULT_HISTORY_RUNS, type HistoryEntry, historyEntryOf } from "./history.ts";
import { buildLeaseUsageReport, type FileFailure, type TestUsageRecord } from "./report.ts";
import type { LeaseUsageReport } from "./report-schema.ts";
import { UsageSpool } from "./spool.ts";
import { formatLeaseUsageSummary } from "./summary.ts";
import { writeLeaseUsageFiles } from "./write.ts";

export interface LeaseUsageReporterOptions {
  /**
   * Where `lease-usage-<runner>.json` and `.html`, the run history and the transcripts go. Relative
   * paths resolve against the vitest root, or the Playwright config's directory. Default:
   * `lease-usage` there. Keep it out of Playwright's `outputDir`, which Playwright empties.
   */
  outputDir?: string;
  /** Write `lease-usage-<runner>.html`. Default true. */
  html?: boolean;
  /** Print the summary table at the end of the run. Default true. */
  summary?: boolean;
  /** How many runs `lease-usage-history.jsonl` keeps; 0 keeps no history. Default 50. */
  historyRuns?: number;
}

/** The output directory when the options name none, relative to the vitest root or Playwright config. */
export const DEFAULT_OUTPUT_DIR = "lease-usage";

// Not strict: Playwright adds its own keys (configDir, _mode, ...) to every reporter's options.
const optionsSchema = z.object({
  outputDir: z.string().min(1).optional(),
  html: z.boolean().optional(),
  summary: z.boolean().optional(),
  historyRuns: z.number().int().nonnegative().optional(),
});

export class ReporterOptionsError extends DutkitError {
  constructor(message: string) {
    super("ERR_DUTKIT_USAGE_REPORTER_OPTIONS", message);
  }
}

export function parseReporterOptions(options: unknown): LeaseUsageReporterOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((i) => `${i.path.join(".") || "options"}: ${i.message}`)
    .join("; ");
  throw new ReporterOptionsError(
    `invalid dutkit lease-usage reporter options (${problems}); pass { outputDir?: string, html?: boolean, summary?: boolean, historyRuns?: whole number >= 0 }`,
  );
}

/** A finished test as a reporter hands it over: its record, and the transcripts still to be written. */
export type FinishedTest = Omit<TestUsageRecord, "consoles" | "artifacts"> & {
  /** The test's console transcripts, one per console; written to `<outputDir>/consoles/<runner>/`. */
  consoles?: readonly ConsoleTranscript[];
  /** The runner's files for the test (a Playwright trace): names and absolute paths, to link. */
  artifacts?: readonly { name: string; path: string }[];
};

export interface LeaseUsageRunResult {
  report: LeaseUsageReport;
  /** Paths of the files written. */
  files: string[];
  /** The console summary; "" when disabled or when no lease was used. */
  summary: string;
}

/** A test file as the report names it: relative to the working directory when inside it. */
function reportedFile(file: string): string {
  if (!isAbsolute(file)) return file;
  const inside = relative(process.cwd(), file);
  return inside.startsWith("..") ? file : inside;
}

export class LeaseUsageRun {
  readonly runner: Runner;
  readonly options: LeaseUsageReporterOptions;
  /** The directory relative output paths resolve against; reporters may set it once they know it. */
  baseDir: string;
  readonly #spool: UsageSpool;
  #tests: TestUsageRecord[] = [];
  #fileFailures: FileFailure[] = [];
  #warnings: string[] = [];
  #startedAt = new Date();
  #consoles: ConsoleTranscriptFiles | undefined;
  /** Transcript write failures of this run: how many tests, and the first error. */
  #consoleFailures = { tests: 0, first: "" };

  constructor(runner: Runner, options: unknown, baseDir = process.cwd()) {
    this.runner = runner;
    this.options = parseReporterOptions(options);
    this.baseDir = baseDir;
    this.#spool = UsageSpool.create();
  }

  /** Starts a run: forgets earlier runs' tests (watch mode) and makes sure the spool exists. */
  begin(): void {
    this.#tests = [];
    this.#fileFailures = [];
    this.#warnings = [];
    this.#startedAt = new Date();
    this.#spool.reopen();
    this.#consoleFailures = { tests: 0, first: "" };
    this.#consoles = new ConsoleTranscriptFiles(this.outputDir(), this.runner);
    this.#warnings.push(...this.#consoles.clear());
  }

  /**
   * Records a finished test and, for a test that used a lease, writes its console transcripts. Every
   * test counts in the run's totals, and a failed one in the failures.
   */
  addTest({ consoles: transcripts = [], artifacts = [], ...record }: FinishedTest): void {
    const used = record.leases.length > 0;
    const consoles = used ? this.#writeConsoles(record.name, transcripts) : [];
    // A test that failed while getting a board is listed under that lease later, traces and all.
    const links = artifacts.map((a) => ({ name: a.name, file: this.#linkTo(a.path) }));
    this.#tests.push({
      ...record,
      file: reportedFile(record.file),
      ...(record.error !== undefined && { error: stripVTControlCharacters(record.error) }),
      ...(consoles.length > 0 && { consoles }),
      ...(links.length > 0 && { artifacts: links }),
    });
  }

  /** Records a test file that failed to load (none of its tests ran), with the error's message. */
  addFileFailure(file: string, message: string): void {
    this.#fileFailures.push({ file: reportedFile(file), message: stripVTControlCharacters(message) });
  }

  /** A link to `path` relative to the output directory, `/`-separated. */
  #linkTo(path: string): string {
    return relative(this.outputDir(), path).split(sep).join("/");
  }

  #writeConsoles(testName: string, transcripts: readonly ConsoleTranscript[]) {
    if (transcripts.length === 0) return [];
    this.#consoles ??= new ConsoleTranscriptFiles(this.outputDir(), this.runner);
    try {
      return this.#consoles.write(testName, transcripts);
    } catch (error) {
      // Reported once at the end: a read-only outputDir would otherwise warn for every test.
      if (this.#consoleFailures.tests++ === 0) this.#consoleFailures.first = messageOf(error);
      return [];
    }
  }

  /** The output directory, resolved. */
  outputDir(): string {
    return resolve(this.baseDir, this.options.outputDir ?? DEFAULT_OUTPUT_DIR);
  }

  warn(message: string): void {
    this.#warnings.push(message);
  }

  /** Removes the spool without reporting, for a run that never ended (vitest failed to start). */
  abandon(): void {
    this.#spool.close();
  }

  /** Reads the spool, writes the report files and removes the spool. */
  finish(): LeaseUsageRunResult {
    const at = new Date();
    try {
      const spooled = this.#spool.read();
      const failures = this.#consoleFailures;
      if (failures.tests > 0) {
        this.#warnings.push(
          `the console transcripts of ${failures.tests} test(s) could not be written to ${this.#consoles?.dir} ` +
            `(first error: ${failures.first}); they are not linked. Set the reporter's outputDir option to a writable directory`,
        );
      }
      const report = buildLeaseUsageReport({
        runner: this.runner,
        run: { startedAt: this.#startedAt.toISOString(), endedAt: at.toISOString() },
        // Test files as the tests name them, so that a lease and its file's tests match.
        events: spooled.events.map((e) =>
          e.type === "lease-requested" && e.file ? { ...e, file: reportedFile(e.file) } : e,
        ),
        tests: this.#tests,
        fileFailures: this.#fileFailures,
        warnings: [...spooled.warnings, ...this.#warnings],
        generatedAt: at.toISOString(),
      });
      // Tests whose lease the spool does not know are left out of the report; so are their files.
      const linked = new Set(
        report.leases.flatMap((l) => l.tests.flatMap((t) => t.consoles ?? []).map((c) => c.file)),
      );
      report.warnings.push(...(this.#consoles?.prune(linked) ?? []));
      const keepRuns = this.options.historyRuns ?? DEFAULT_HISTORY_RUNS;
      let history: HistoryEntry[] = [];
      if (keepRuns > 0) {
        const appended = appendHistory(this.outputDir(), historyEntryOf(report), keepRuns);
        history = appended.entries;
        report.warnings.push(...appended.warnings);
      }
      const files = writeLeaseUsageFiles(report, {
        outputDir: this.outputDir(),
        html: this.options.html ?? true,
        history,
      });
      const summary = this.options.summary === false ? "" : formatLeaseUsageSummary(report, files);
      return { report, files, summary };
    } finally {
      this.#spool.close();
    }
  }
}
