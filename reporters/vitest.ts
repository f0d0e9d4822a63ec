/**
 * The vitest lease-usage reporter. Add it next to a console reporter:
 * `reporters: ["default", ["dutkit/reporters/vitest", { outputDir: "lease-usage" }]]`.
 */
import type { Reporter, TestCase, TestModule, Vitest } from "vitest/node";
import { attachmentText, type ConsoleTranscript } from "../src/usage/consoles.ts";
import { CONSOLE_TRANSCRIPT_ARTIFACT, testLeaseUsageSchema } from "../src/usage/events.ts";
import type { TestOutcome } from "../src/usage/report-schema.ts";
import { type LeaseUsageReporterOptions, LeaseUsageRun } from "../src/usage/usage-run.ts";
import type {} from "../src/usage/vitest-meta.ts";

export type { LeaseUsageReporterOptions };

/** Where the reporter prints: vitest's logger once the reporter is initialised. */
interface ReporterOutput {
  log(message: string): void;
  warn(message: string): void;
}

function outcomeOf(testCase: TestCase): TestOutcome {
  const { state } = testCase.result();
  // "pending" cannot reach onTestCaseResult; it would mean the test never ran.
  return state === "passed" || state === "failed" ? state : "skipped";
}

function errorMessage(error: { name?: string; message?: string } | undefined): string {
  if (!error?.message) return "(vitest gave no message)";
  return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
}

export class DutkitLeaseReporter implements Reporter {
  readonly #run: LeaseUsageRun;
  #output: ReporterOutput = console;
  /** Whether the report waits for vitest to close; see onInit. */
  #reportOnClose = false;
  #runEnded = false;

  /** Sets up the spool, so it must run before vitest starts workers: vitest constructs reporters first. */
  constructor(options?: LeaseUsageReporterOptions) {
    this.#run = new LeaseUsageRun("vitest", options);
  }

  onInit(vitest: Vitest): void {
    this.#output = {
      log: (message) => vitest.logger.log(message),
      warn: (message) => vitest.logger.warn(message),
    };
    this.#run.baseDir = vitest.config.root;
    // vitest tears global setup down after onTestRunEnd, in close(). Leases that global setup holds
    // for the whole run are released only then, so a single run reports once that is done. A watch
    // session reports after each run; its global setup lasts the session.
    if (!vitest.config.watch) {
      this.#reportOnClose = true;
      vitest.onClose(() => this.#closeRun());
    }
  }

  onTestRunStart(): void {
    this.#runEnded = false;
    this.#run.begin();
  }

  /** Every test counts in the run's totals; one that used a board also lists under its lease. */
  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta().dutkit;
    const parsed = meta === undefined ? undefined : testLeaseUsageSchema.safeParse(meta);
    if (parsed && !parsed.success) {
      this.#run.warn(
        `test "${testCase.fullName}" carries a malformed task.meta.dutkit (${parsed.error.issues[0]?.message}); ` +
          "its lease use is left out",
      );
    }
    const leases = parsed?.success ? parsed.data.leases : [];
    const error = testCase.result().errors?.[0];
    this.#run.addTest({
      id: testCase.id,
      name: testCase.fullName,
      file: testCase.module.moduleId,
      outcome: outcomeOf(testCase),
      durationMs: testCase.diagnostic()?.duration ?? 0,
      leases,
      ...(outcomeOf(testCase) === "failed" && { error: errorMessage(error) }),
      consoles: leases.length > 0 ? this.#transcripts(testCase) : [],
    });
  }

  /** The test's `dutkit:console-transcript` artifacts; a malformed one is warned about and skipped. */
  #transcripts(testCase: TestCase): ConsoleTranscript[] {
    const transcripts: ConsoleTranscript[] = [];
    for (const artifact of testCase.artifacts()) {
      if (artifact.type !== CONSOLE_TRANSCRIPT_ARTIFACT) continue;
      const name: unknown = (artifact as { name?: unknown }).name;
      const problem = (message: string) =>
        this.#run.warn(
          `test "${testCase.fullName}" has a ${CONSOLE_TRANSCRIPT_ARTIFACT} artifact that ${message}; it is not linked`,
        );
      if (typeof name !== "string" || name === "") {
        problem("has no console name (set its name field)");
        continue;
      }
      const attachments = artifact.attachments ?? [];
      if (attachments.length === 0) problem("has no attachment with the transcript");
      const texts: string[] = [];
      for (const attachment of attachments) {
        const read = attachmentText(attachment);
        if ("problem" in read) problem(read.problem);
        else texts.push(read.text);
      }
      if (texts.length > 0) transcripts.push({ name, text: texts.join("") });
    }
    return transcripts;
  }

  /** Files whose errors came before any test ran (an import or a config that throws) failed to load. */
  onTestRunEnd(testModules: readonly TestModule[] = []): void {
    for (const module of testModules) {
      const [error] = module.errors();
      if (error && module.children.allTests().next().done) {
        this.#run.addFileFailure(module.moduleId, errorMessage(error));
      }
    }
    if (this.#reportOnClose) this.#runEnded = true;
    else this.#report();
  }

  #closeRun(): void {
    if (this.#runEnded) this.#report();
    else this.#run.abandon();
  }

  #report(): void {
    const { report, summary } = this.#run.finish();
    for (const warning of report.warnings) this.#output.warn(`dutkit: ${warning}`);
    if (summary) this.#output.log(`\n${summary.trimEnd()}`);
  }
}

export default DutkitLeaseReporter;
