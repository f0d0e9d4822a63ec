/**
 * One reporter's side of lease-usage recording, shared by the vitest and Playwright reporters:
 * owns the spool, collects test records, and at the end builds and writes the report.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { z } from "zod";
import { DutkitError, messageOf } from "../core/errors.ts";
import { type ConsoleTranscript, ConsoleTranscriptFiles } from "./consoles.ts";
import type { Runner } from "./events.ts";
import { buildLeaseUsageReport, type TestUsageRecord } from "./report.ts";
import type { LeaseUsageReport } from "./report-schema.ts";
import { UsageSpool } from "./spool.ts";
import { formatLeaseUsageSummary } from "./summary.ts";
import { writeLeaseUsageFiles } from "./write.ts";

export interface LeaseUsageReporterOptions {
  /**
   * Where `lease-usage.json` and `lease-usage.html` go. Relative paths resolve against the vitest
   * root, or the Playwright config's directory. Default: that same directory.
   */
  outputDir?: string;
  /** Write `lease-usage.html`. Default true. */
  html?: boolean;
  /** Print the summary table at the end of the run. Default true. */
  summary?: boolean;
}

// Not strict: Playwright adds its own keys (configDir, _mode, ...) to every reporter's options.
const optionsSchema = z.object({
  outputDir: z.string().min(1).optional(),
  html: z.boolean().optional(),
  summary: z.boolean().optional(),
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
    `invalid dutkit lease-usage reporter options (${problems}); pass { outputDir?: string, html?: boolean, summary?: boolean }`,
  );
}

/** A finished test as a reporter hands it over: its record, and the transcripts still to be written. */
export type FinishedTest = Omit<TestUsageRecord, "consoles"> & {
  /** The test's console transcripts, one per console; written to `<outputDir>/consoles/`. */
  consoles?: readonly ConsoleTranscript[];
};

export interface LeaseUsageRunResult {
  report: LeaseUsageReport;
  /** Paths of the files written. */
  files: string[];
  /** The console summary; "" when disabled or when no lease was used. */
  summary: string;
}

export class LeaseUsageRun {
  readonly runner: Runner;
  readonly options: LeaseUsageReporterOptions;
  /** The directory relative output paths resolve against; reporters may set it once they know it. */
  baseDir: string;
  readonly #spool: UsageSpool;
  #tests: TestUsageRecord[] = [];
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
    this.#warnings = [];
    this.#startedAt = new Date();
    this.#spool.reopen();
    this.#consoleFailures = { tests: 0, first: "" };
    this.#consoles = new ConsoleTranscriptFiles(this.#outputDir());
    this.#warnings.push(...this.#consoles.clear());
  }

  /**
   * Records a finished test and writes its console transcripts; tests that used no lease are not
   * needed and are dropped, transcripts and all.
   */
  addTest({ consoles: transcripts = [], ...record }: FinishedTest): void {
    if (record.leases.length === 0) return;
    const file = isAbsolute(record.file) ? relative(process.cwd(), record.file) : record.file;
    const consoles = this.#writeConsoles(record.name, transcripts);
    this.#tests.push({
      ...record,
      file: file.startsWith("..") ? record.file : file,
      ...(consoles.length > 0 && { consoles }),
    });
  }

  #writeConsoles(testName: string, transcripts: readonly ConsoleTranscript[]) {
    if (transcripts.length === 0) return [];
    this.#consoles ??= new ConsoleTranscriptFiles(this.#outputDir());
    try {
      return this.#consoles.write(testName, transcripts);
    } catch (error) {
      // Reported once at the end: a read-only outputDir would otherwise warn for every test.
      if (this.#consoleFailures.tests++ === 0) this.#consoleFailures.first = messageOf(error);
      return [];
    }
  }

  #outputDir(): string {
    return resolve(this.baseDir, this.options.outputDir ?? ".");
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
        events: spooled.events,
        tests: this.#tests,
        warnings: [...spooled.warnings, ...this.#warnings],
        generatedAt: at.toISOString(),
      });
      // Tests whose lease the spool does not know are left out of the report; so are their files.
      const linked = new Set(
        report.leases.flatMap((l) => l.tests.flatMap((t) => t.consoles ?? []).map((c) => c.file)),
      );
      report.warnings.push(...(this.#consoles?.prune(linked) ?? []));
      const files = writeLeaseUsageFiles(report, {
        outputDir: this.#outputDir(),
        html: this.options.html ?? true,
      });
      const summary = this.options.summary === false ? "" : formatLeaseUsageSummary(report, files);
      return { report, files, summary };
    } finally {
      this.#spool.close();
    }
  }
}
