import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FullConfig, TestCase, TestResult } from "@playwright/test/reporter";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { acquired, calls, released, requested } from "../src/usage/__fixtures__/lease-events.ts";
import {
  CONSOLE_TRANSCRIPT_ARTIFACT,
  LEASE_USAGE_ATTACHMENT,
  leaseUsageAttachment,
  USAGE_SPOOL_ENV,
} from "../src/usage/events.ts";
import { leaseUsageReportSchema } from "../src/usage/report-schema.ts";
import { recordLeaseEvent } from "../src/usage/spool.ts";
import DefaultExport, { DutkitLeaseReporter } from "./playwright.ts";

type Attachment = TestResult["attachments"][number];

interface FakeTest {
  title: string;
  describes?: string[];
  project?: string;
  expectedStatus?: TestCase["expectedStatus"];
}

/** An object with the parts of Playwright's TestCase that the reporter reads. */
function testCase({ title, describes = [], project = "", expectedStatus = "passed" }: FakeTest): TestCase {
  const projectSuite = { type: "project", title: project, project: () => ({ name: project }) };
  const fileSuite = {
    type: "file",
    title: "board.spec.ts",
    parent: projectSuite,
    project: projectSuite.project,
  };
  let parent: object = fileSuite;
  for (const name of describes)
    parent = { type: "describe", title: name, parent, project: projectSuite.project };
  return {
    id: `id-${title}`,
    title,
    parent,
    expectedStatus,
    location: { file: join(process.cwd(), "example-tests/board.spec.ts"), line: 1, column: 1 },
  } as unknown as TestCase;
}

function result(status: TestResult["status"], attachments: Attachment[] = [], retry = 0): TestResult {
  const errors = status === "failed" ? [{ message: `the test ended ${status}` }] : [];
  return { status, attachments, retry, duration: 250, errors } as unknown as TestResult;
}

function usageAttachment(leaseId: string, n: number): Attachment {
  const { body, contentType } = leaseUsageAttachment({ leaseId, calls: calls({ "power.on": n }) });
  return { name: LEASE_USAGE_ATTACHMENT, contentType, body: Buffer.from(body) };
}

/** A console transcript attachment as the Playwright fixture attaches it. */
function transcriptAttachment(console: string, text: string): Attachment {
  return {
    name: `${CONSOLE_TRANSCRIPT_ARTIFACT}:${console}`,
    contentType: "text/plain",
    body: Buffer.from(text),
  };
}

describe("Playwright DutkitLeaseReporter", () => {
  let root: string;
  let configDir: string;
  let stdout: MockInstance<typeof process.stdout.write>;
  let stderr: MockInstance<typeof process.stderr.write>;
  const outerSpool = process.env[USAGE_SPOOL_ENV];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "dutkit-pw-reporter-"));
    configDir = join(root, "config");
    mkdirSync(configDir);
    stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => {
    stdout.mockRestore();
    stderr.mockRestore();
    rmSync(root, { recursive: true, force: true });
    expect(process.env[USAGE_SPOOL_ENV]).toBe(outerSpool);
  });

  const printed = (spy: MockInstance<typeof process.stdout.write>) =>
    spy.mock.calls.map((c) => String(c[0])).join("");
  const readReport = (dir: string) =>
    leaseUsageReportSchema.parse(JSON.parse(readFileSync(join(dir, "lease-usage-playwright.json"), "utf8")));
  /** Playwright passes its own keys along with the user's options. */
  const create = (options: object) =>
    new DutkitLeaseReporter({ ...options, configDir, _mode: "test" } as never);

  it("is the default export and leaves the console to Playwright's reporters", () => {
    expect(DefaultExport).toBe(DutkitLeaseReporter);
    const reporter = create({});
    expect(reporter.printsToStdio()).toBe(false);
    reporter.onEnd();
  });

  it("collects spooled events and attachments into the report files and the summary", () => {
    const reporter = create({ outputDir: "../usage" });
    const spool = process.env[USAGE_SPOOL_ENV]!;
    reporter.onBegin();
    recordLeaseEvent(requested("pw-1", 0, { runner: "playwright", scope: "worker" }));
    recordLeaseEvent(acquired("pw-1", 100, "mock-board"));
    writeFileSync(join(spool, "31337.jsonl"), `${JSON.stringify(released("pw-1", 2_100))}\n`);
    const fromFile = join(configDir, "usage.json");
    writeFileSync(fromFile, JSON.stringify([{ leaseId: "pw-1", calls: calls({ "power.off": 1 }) }]));

    reporter.onTestEnd(
      testCase({ title: "turns on", describes: ["power"], project: "chromium" }),
      result("passed", [
        { name: "screenshot", contentType: "image/png", body: Buffer.from("png") },
        usageAttachment("pw-1", 2),
      ]),
    );
    reporter.onTestEnd(
      testCase({ title: "flaky" }),
      result("failed", [
        usageAttachment("pw-1", 1),
        { name: LEASE_USAGE_ATTACHMENT, contentType: "application/json", path: fromFile },
      ]),
    );
    reporter.onTestEnd(testCase({ title: "flaky" }), result("passed", [usageAttachment("pw-1", 1)], 1));
    reporter.onTestEnd(
      testCase({ title: "known bug", expectedStatus: "failed" }),
      result("failed", [usageAttachment("pw-1", 0)]),
    );
    reporter.onTestEnd(testCase({ title: "skipped" }), result("skipped", [usageAttachment("pw-1", 0)]));
    reporter.onTestEnd(testCase({ title: "no board" }), result("passed"));
    reporter.onEnd();

    // outputDir resolves against the config's directory.
    const report = readReport(join(root, "usage"));

    expect(report.runner).toBe("playwright");
    const [lease] = report.leases;
    expect(lease).toMatchObject({ id: "pw-1", scope: "worker", waitMs: 100, heldMs: 2_000 });
    expect(lease?.tests.map((t) => [t.name, t.outcome])).toEqual([
      ["[chromium] power > turns on", "passed"],
      ["flaky", "failed"],
      ["flaky (retry 1)", "passed"],
      ["known bug", "passed"],
      ["skipped", "skipped"],
    ]);
    expect(lease?.tests[1]?.calls).toEqual(calls({ "power.on": 1, "power.off": 1 }));
    expect(lease?.tests[0]).toMatchObject({ file: join("example-tests", "board.spec.ts"), durationMs: 250 });
    expect(report.totals.tests).toEqual({ passed: 3, failed: 1, skipped: 1 });

    expect(printed(stdout)).toMatch(/pw-1 +mock-board +local/);
    expect(printed(stderr)).toBe("");
    expect(existsSync(spool)).toBe(false);
  });

  it("warns about attachments it cannot read and keeps the test's other leases", () => {
    const reporter = create({ outputDir: ".", html: false, summary: false });
    reporter.onBegin();
    recordLeaseEvent(requested("pw-1", 0));
    const bad = (body: string): Attachment => ({
      name: LEASE_USAGE_ATTACHMENT,
      contentType: "application/json",
      body: Buffer.from(body),
    });
    reporter.onTestEnd(
      testCase({ title: "t" }),
      result("passed", [
        bad("{not json"),
        bad('{"leaseId":""}'),
        {
          name: LEASE_USAGE_ATTACHMENT,
          contentType: "application/json",
          path: join(configDir, "missing.json"),
        },
        { name: LEASE_USAGE_ATTACHMENT, contentType: "application/json" },
        usageAttachment("pw-1", 1),
      ]),
    );
    reporter.onEnd();

    const report = readReport(configDir);
    expect(report.leases[0]?.tests).toHaveLength(1);
    expect(report.warnings).toEqual([
      expect.stringMatching(/attachment that is not JSON; it is ignored$/),
      expect.stringMatching(/attachment that is not a lease use \(.*\); it is ignored$/),
      expect.stringMatching(/attachment that cannot be read \(.*missing\.json.*\); it is ignored$/),
      expect.stringMatching(/attachment that has neither a body nor a path; it is ignored$/),
    ]);
    expect(printed(stderr).trimEnd().split("\n")).toHaveLength(4);
    expect(printed(stdout)).toBe("");
    expect(readdirSync(configDir).sort()).toEqual([
      "lease-usage-history.jsonl",
      "lease-usage-playwright.json",
    ]);
  });

  it("writes an empty report and prints nothing when no test used a lease", () => {
    const reporter = create({});
    reporter.onBegin();
    reporter.onTestEnd(testCase({ title: "plain" }), result("passed"));
    reporter.onEnd();

    // By default into lease-usage/ beside the config, not into Playwright's test-results/.
    const outDir = join(configDir, "lease-usage");
    expect(readReport(outDir).leases).toEqual([]);
    expect(readdirSync(configDir)).toEqual(["lease-usage"]);
    expect(readdirSync(outDir).sort()).toEqual([
      "lease-usage-history.jsonl",
      "lease-usage-playwright.html",
      "lease-usage-playwright.json",
    ]);
    expect(printed(stdout)).toBe("");
    expect(printed(stderr)).toBe("");
  });

  it("writes each test's console transcripts to consoles/ and links them, per attempt", () => {
    const reporter = create({ outputDir: "out", summary: false });
    reporter.onBegin();
    recordLeaseEvent(requested("pw-1", 0, { runner: "playwright" }));
    // Playwright keeps large attachments on disk and passes their path.
    const spilled = join(root, "spilled.txt");
    writeFileSync(spilled, "< login:\n");
    const attachments = (text: string) => [
      transcriptAttachment("serial", text),
      { name: `${CONSOLE_TRANSCRIPT_ARTIFACT}:board.uboot`, contentType: "text/plain", path: spilled },
      usageAttachment("pw-1", 1),
    ];
    const test = testCase({ title: "boots", describes: ["power"], project: "lab" });
    reporter.onTestEnd(test, result("failed", attachments("< first try\n")));
    reporter.onTestEnd(test, result("passed", attachments("< second try\n"), 1));
    reporter.onEnd();

    const out = join(configDir, "out");
    const tests = readReport(out).leases[0]?.tests;
    expect(tests?.map((t) => t.consoles)).toEqual([
      [
        { name: "serial", file: "consoles/playwright/0001-lab-power-boots-serial.txt" },
        { name: "board.uboot", file: "consoles/playwright/0001-lab-power-boots-board.uboot.txt" },
      ],
      [
        { name: "serial", file: "consoles/playwright/0002-lab-power-boots-retry-1-serial.txt" },
        { name: "board.uboot", file: "consoles/playwright/0002-lab-power-boots-retry-1-board.uboot.txt" },
      ],
    ]);
    expect(
      readFileSync(join(out, "consoles/playwright/0002-lab-power-boots-retry-1-serial.txt"), "utf8"),
    ).toBe("< second try\n");
    expect(readFileSync(join(out, "consoles/playwright/0001-lab-power-boots-board.uboot.txt"), "utf8")).toBe(
      "< login:\n",
    );
    expect(readFileSync(join(out, "lease-usage-playwright.html"), "utf8")).toContain(
      '<a href="consoles/playwright/0001-lab-power-boots-serial.txt" type="text/plain">serial</a>',
    );
    expect(printed(stderr)).toBe("");
  });

  it("warns about transcripts it cannot read or write, and still writes the report", () => {
    const reporter = create({ outputDir: ".", html: false, summary: false });
    // A file where the consoles directory should be.
    writeFileSync(join(configDir, "consoles"), "");
    reporter.onBegin();
    recordLeaseEvent(requested("pw-1", 0));
    reporter.onTestEnd(
      testCase({ title: "t" }),
      result("passed", [
        { name: `${CONSOLE_TRANSCRIPT_ARTIFACT}:`, contentType: "text/plain", body: Buffer.from("x") },
        { name: `${CONSOLE_TRANSCRIPT_ARTIFACT}:gone`, contentType: "text/plain", path: join(root, "nope") },
        transcriptAttachment("serial", "x"),
        usageAttachment("pw-1", 1),
      ]),
    );
    reporter.onEnd();

    const report = readReport(configDir);
    expect(report.leases[0]?.tests[0]?.consoles).toBeUndefined();
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^cannot list .*consoles\/playwright to remove the previous run's console transcripts/,
      ),
      expect.stringMatching(
        /attachment that names no console \(name it dutkit:console-transcript:<console>\)/,
      ),
      expect.stringMatching(/:gone attachment that cannot be read \(.*nope.*\); it is not linked$/),
      expect.stringMatching(
        /^the console transcripts of 1 test\(s\) could not be written to .*consoles\/playwright \(first error: .*\); .*outputDir/,
      ),
    ]);
  });

  it("warns when its outputDir is inside a Playwright outputDir, which Playwright empties, and not otherwise", () => {
    const inside = create({ outputDir: "test-results/usage", summary: false });
    const projects = [
      { outputDir: join(configDir, "test-results") },
      { outputDir: join(configDir, "other") },
    ];
    inside.onBegin({ projects } as unknown as FullConfig);
    inside.onEnd();
    expect(readReport(join(configDir, "test-results", "usage")).warnings).toEqual([
      `the lease-usage outputDir ${join(configDir, "test-results", "usage")} is inside Playwright's outputDir ` +
        `${join(configDir, "test-results")}, which Playwright empties at the start of every run: the run history ` +
        `and vitest's report there are lost. Set the reporter's outputDir to a folder of its own, such as "lease-usage"`,
    ]);

    const beside = create({ summary: false });
    beside.onBegin({ projects } as unknown as FullConfig);
    beside.onEnd();
    expect(readReport(join(configDir, "lease-usage")).warnings).toEqual([]);
  });
});
