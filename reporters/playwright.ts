/**
 * The Playwright lease-usage reporter. Add it next to a console reporter:
 * `reporter: [["list"], ["dutkit/reporters/playwright", { outputDir: "lease-usage" }]]`.
 * It prints only its summary, so Playwright still adds its own console reporter when it is alone.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import type { FullConfig, Reporter, TestCase, TestError, TestResult } from "@playwright/test/reporter";
import { attachmentText, type ConsoleTranscript } from "../src/usage/consoles.ts";
import {
  CONSOLE_TRANSCRIPT_ARTIFACT,
  LEASE_USAGE_ATTACHMENT,
  leaseUsageAttachmentSchema,
  type TestLeaseUse,
} from "../src/usage/events.ts";
import type { TestOutcome } from "../src/usage/report-schema.ts";
import { type LeaseUsageReporterOptions, LeaseUsageRun } from "../src/usage/usage-run.ts";

export type { LeaseUsageReporterOptions };

/** The test's describe titles and its own title, with the project in front when it has a name. */
function testName(test: TestCase, result: TestResult): string {
  const titles = [test.title];
  for (let suite = test.parent; suite.type === "describe"; suite = suite.parent!) titles.unshift(suite.title);
  const project = test.parent.project()?.name;
  const name = `${project ? `[${project}] ` : ""}${titles.join(" > ")}`;
  return result.retry > 0 ? `${name} (retry ${result.retry})` : name;
}

/** Transcript attachments are named `dutkit:console-transcript:<console>`. */
const TRANSCRIPT_PREFIX = `${CONSOLE_TRANSCRIPT_ARTIFACT}:`;

/** Adds the attachment's transcript to `consoles`, or says what is wrong with it. */
function readTranscript(attachment: TestResult["attachments"][number], consoles: ConsoleTranscript[]) {
  const name = attachment.name.slice(TRANSCRIPT_PREFIX.length);
  if (name === "") return `names no console (name it ${TRANSCRIPT_PREFIX}<console>); it is not linked`;
  const read = attachmentText({ body: attachment.body, path: attachment.path });
  if ("problem" in read) return `${read.problem}; it is not linked`;
  consoles.push({ name, text: read.text });
  return undefined;
}

/** Playwright's files for a test that the report links: its trace, screenshots and video. */
const LINKED_ATTACHMENTS = new Set(["trace", "screenshot", "video"]);

function errorMessage(error: TestError | undefined): string {
  return error?.message ?? error?.value ?? "(Playwright gave no message)";
}

function outcomeOf(test: TestCase, result: TestResult): TestOutcome {
  if (result.status === "skipped") return "skipped";
  return result.status === test.expectedStatus ? "passed" : "failed";
}

export class DutkitLeaseReporter implements Reporter {
  readonly #run: LeaseUsageRun;

  /**
   * Sets up the spool; Playwright constructs reporters before it starts workers. Relative output
   * paths resolve against the config's directory, which Playwright passes in as `configDir`.
   */
  constructor(options?: LeaseUsageReporterOptions) {
    const configDir = (options as { configDir?: unknown } | undefined)?.configDir;
    this.#run = new LeaseUsageRun(
      "playwright",
      options,
      typeof configDir === "string" ? configDir : process.cwd(),
    );
  }

  printsToStdio(): boolean {
    return false;
  }

  /** Warns when the report would go into a folder that Playwright empties at the start of each run. */
  onBegin(config?: FullConfig): void {
    this.#run.begin();
    const ours = this.#run.outputDir();
    for (const dir of new Set(config?.projects.map((p) => p.outputDir))) {
      const inside = relative(dir, ours);
      if (!inside.startsWith("..") && !isAbsolute(inside)) {
        this.#run.warn(
          `the lease-usage outputDir ${ours} is inside Playwright's outputDir ${dir}, which Playwright empties ` +
            "at the start of every run: the run history and vitest's report there are lost. Set the reporter's " +
            'outputDir to a folder of its own, such as "lease-usage"',
        );
      }
    }
  }

  /** A file that fails to load (a syntax error, a throwing import) reaches Playwright as an error with a location. */
  onError(error: TestError): void {
    if (error.location) this.#run.addFileFailure(error.location.file, errorMessage(error));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const leases: TestLeaseUse[] = [];
    const consoles: ConsoleTranscript[] = [];
    const artifacts: { name: string; path: string }[] = [];
    for (const attachment of result.attachments) {
      if (LINKED_ATTACHMENTS.has(attachment.name) && attachment.path) {
        artifacts.push({ name: attachment.name, path: attachment.path });
        continue;
      }
      let problem: string | undefined;
      if (attachment.name === LEASE_USAGE_ATTACHMENT) problem = this.#readAttachment(attachment, leases);
      else if (attachment.name.startsWith(TRANSCRIPT_PREFIX)) problem = readTranscript(attachment, consoles);
      else continue;
      if (problem) {
        this.#run.warn(
          `test "${testName(test, result)}" has a ${attachment.name} attachment that ${problem}`,
        );
      }
    }
    this.#run.addTest({
      id: test.id,
      name: testName(test, result),
      file: test.location.file,
      outcome: outcomeOf(test, result),
      durationMs: result.duration,
      leases,
      ...(outcomeOf(test, result) === "failed" && { error: errorMessage(result.errors[0]) }),
      consoles,
      artifacts,
    });
  }

  /** Adds the attachment's lease uses to `leases`, or says what is wrong with it. */
  #readAttachment(attachment: TestResult["attachments"][number], leases: TestLeaseUse[]): string | undefined {
    let body: string;
    try {
      if (attachment.body) body = attachment.body.toString("utf8");
      else if (attachment.path) body = readFileSync(attachment.path, "utf8");
      else return "has neither a body nor a path; it is ignored";
    } catch (error) {
      return `cannot be read (${error instanceof Error ? error.message : String(error)}); it is ignored`;
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return "is not JSON; it is ignored";
    }
    const parsed = leaseUsageAttachmentSchema.safeParse(value);
    if (!parsed.success) return `is not a lease use (${parsed.error.issues[0]?.message}); it is ignored`;
    leases.push(...parsed.data);
    return undefined;
  }

  onEnd(): void {
    const { report, summary } = this.#run.finish();
    for (const warning of report.warnings) process.stderr.write(`dutkit: ${warning}\n`);
    if (summary) process.stdout.write(`\n${summary}`);
  }
}

export default DutkitLeaseReporter;
