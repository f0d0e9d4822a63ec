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
import type { TestArtifact } from "vitest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TestCase, Vitest } from "vitest/node";
import { acquired, calls, released, requested } from "../src/usage/__fixtures__/lease-events.ts";
import { CONSOLE_TRANSCRIPT_ARTIFACT, USAGE_SPOOL_ENV } from "../src/usage/events.ts";
import { leaseUsageReportSchema } from "../src/usage/report-schema.ts";
import { recordLeaseEvent } from "../src/usage/spool.ts";
import DefaultExport, { DutkitLeaseReporter } from "./vitest.ts";

interface FakeTest {
  name: string;
  state: "passed" | "failed" | "skipped";
  duration?: number;
  dutkit?: unknown;
  artifacts?: unknown[];
}

/** A console transcript artifact as the vitest fixture records it. */
const transcript = (name: string, text: string) => ({
  type: CONSOLE_TRANSCRIPT_ARTIFACT,
  name,
  attachments: [{ contentType: "text/plain", body: text, bodyEncoding: "utf-8" }],
});

/** An object with the parts of vitest's TestCase that the reporter reads. */
function testCase({ name, state, duration, dutkit, artifacts = [] }: FakeTest): TestCase {
  return {
    id: `id-${name}`,
    fullName: `board > ${name}`,
    module: { moduleId: join(process.cwd(), "example-tests/board.test.ts") },
    meta: () => (dutkit === undefined ? {} : { dutkit }),
    result: () => ({
      state,
      errors: state === "failed" ? [{ name: "AssertionError", message: `${name} failed` }] : undefined,
    }),
    diagnostic: () => (duration === undefined ? undefined : { duration }),
    artifacts: () => artifacts as TestArtifact[],
  } as unknown as TestCase;
}

describe("vitest DutkitLeaseReporter", () => {
  let root: string;
  const log = vi.fn<(message: string) => void>();
  const warn = vi.fn<(message: string) => void>();
  let closeHandlers: (() => unknown)[];
  const vitest = ({ watch = false } = {}) =>
    ({
      logger: { log, warn },
      config: { root, watch },
      onClose: (fn: () => unknown) => closeHandlers.push(fn),
    }) as unknown as Vitest;
  /** What vitest's close() does for reporters: tear down global setup (not faked here), then call onClose handlers. */
  const closeVitest = () => {
    for (const handler of closeHandlers) handler();
  };
  const outerSpool = process.env[USAGE_SPOOL_ENV];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "dutkit-vitest-reporter-"));
    closeHandlers = [];
    log.mockReset();
    warn.mockReset();
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    expect(process.env[USAGE_SPOOL_ENV]).toBe(outerSpool);
  });

  const readReport = (dir: string) =>
    leaseUsageReportSchema.parse(JSON.parse(readFileSync(join(dir, "lease-usage-vitest.json"), "utf8")));

  it("is the default export", () => {
    expect(DefaultExport).toBe(DutkitLeaseReporter);
  });

  it("collects spooled events and test metadata into the report files and the summary", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: "usage" });
    const spool = process.env[USAGE_SPOOL_ENV]!;
    expect(existsSync(spool)).toBe(true);

    reporter.onInit(vitest());
    reporter.onTestRunStart();
    recordLeaseEvent(requested("local-1", 0));
    recordLeaseEvent(acquired("local-1", 50, "mock-board"));
    // Another worker's spool file.
    writeFileSync(
      join(spool, "424242.jsonl"),
      `${JSON.stringify(released("local-1", 900, calls({ "power.on": 3 })))}\n`,
    );

    const use = (n: number) => ({ leases: [{ leaseId: "local-1", calls: calls({ "power.on": n }) }] });
    reporter.onTestCaseResult(
      testCase({ name: "turns on", state: "passed", duration: 12.4, dutkit: use(2) }),
    );
    reporter.onTestCaseResult(testCase({ name: "cycles", state: "failed", duration: 30, dutkit: use(1) }));
    reporter.onTestCaseResult(testCase({ name: "no board", state: "passed", duration: 1 }));
    reporter.onTestCaseResult(testCase({ name: "later", state: "skipped", dutkit: { leases: [] } }));
    reporter.onTestRunEnd();
    closeVitest();

    const outDir = join(root, "usage");
    expect(readdirSync(outDir).sort()).toEqual([
      "lease-usage-history.jsonl",
      "lease-usage-vitest.html",
      "lease-usage-vitest.json",
    ]);
    const report = readReport(outDir);
    expect(report.runner).toBe("vitest");
    expect(report.leases).toHaveLength(1);
    expect(report.leases[0]).toMatchObject({
      id: "local-1",
      waitMs: 50,
      heldMs: 850,
      calls: calls({ "power.on": 3 }),
    });
    expect(report.leases[0]?.tests).toEqual([
      {
        id: "id-turns on",
        name: "board > turns on",
        file: join("example-tests", "board.test.ts"),
        outcome: "passed",
        durationMs: 12,
        calls: calls({ "power.on": 2 }),
      },
      {
        id: "id-cycles",
        name: "board > cycles",
        file: join("example-tests", "board.test.ts"),
        outcome: "failed",
        durationMs: 30,
        calls: calls({ "power.on": 1 }),
        error: "AssertionError: cycles failed",
      },
    ]);
    expect(readFileSync(join(outDir, "lease-usage-vitest.html"), "utf8")).toContain("board &gt; turns on");

    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[0]).toMatch(/local-1 +mock-board +local/);
    expect(log.mock.calls[0]?.[0]).toContain(join(outDir, "lease-usage-vitest.json"));
    expect(warn).not.toHaveBeenCalled();
    expect(existsSync(spool)).toBe(false);
  });

  it("writes each test's console transcripts to consoles/ and links them from the JSON and the page", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root, summary: false });
    reporter.onInit(vitest());
    reporter.onTestRunStart();
    recordLeaseEvent(requested("local-1", 0));
    const dutkit = { leases: [{ leaseId: "local-1", calls: {} }] };
    const screenshot = { type: "internal:failureScreenshot", attachments: [] };
    reporter.onTestCaseResult(
      testCase({
        name: "boots: to U-Boot",
        state: "passed",
        dutkit,
        artifacts: [
          transcript("serial", "< U-Boot 2024.01\n"),
          screenshot,
          transcript("board.uboot", "> printenv\n"),
        ],
      }),
    );
    reporter.onTestCaseResult(testCase({ name: "quiet", state: "passed", dutkit }));
    // Transcripts of a test without a lease are not written: the test is not in the report.
    reporter.onTestCaseResult(
      testCase({ name: "no board", state: "passed", artifacts: [transcript("serial", "x")] }),
    );
    reporter.onTestRunEnd();
    closeVitest();

    const consoles = [
      { name: "serial", file: "consoles/vitest/0001-board-boots-to-U-Boot-serial.txt" },
      { name: "board.uboot", file: "consoles/vitest/0001-board-boots-to-U-Boot-board.uboot.txt" },
    ];
    const tests = readReport(root).leases[0]?.tests;
    expect(tests?.map((t) => t.consoles)).toEqual([consoles, undefined]);
    expect(readdirSync(join(root, "consoles", "vitest")).sort()).toEqual(
      consoles.map((c) => c.file.slice("consoles/vitest/".length)).sort(),
    );
    expect(readFileSync(join(root, consoles[0]!.file), "utf8")).toBe("< U-Boot 2024.01\n");
    const html = readFileSync(join(root, "lease-usage-vitest.html"), "utf8");
    expect(html).toContain(`<a href="${consoles[1]!.file}" type="text/plain">board.uboot</a>`);
    expect(warn).not.toHaveBeenCalled();
  });

  it("replaces the previous run's transcripts and leaves other files in consoles/ alone", () => {
    mkdirSync(join(root, "consoles", "vitest"), { recursive: true });
    writeFileSync(join(root, "consoles", "vitest", "0007-old-test-serial.txt"), "old");
    writeFileSync(join(root, "consoles", "vitest", "README"), "mine");
    const reporter = new DutkitLeaseReporter({ outputDir: root, summary: false });
    reporter.onInit(vitest({ watch: true }));
    const run = (text: string) => {
      reporter.onTestRunStart();
      recordLeaseEvent(requested("local-1", 0));
      const dutkit = { leases: [{ leaseId: "local-1", calls: {} }] };
      reporter.onTestCaseResult(
        testCase({ name: "t", state: "passed", dutkit, artifacts: [transcript("serial", text)] }),
      );
      reporter.onTestRunEnd();
    };
    run("first");
    expect(readdirSync(join(root, "consoles", "vitest")).sort()).toEqual([
      "0001-board-t-serial.txt",
      "README",
    ]);
    run("second");
    expect(readdirSync(join(root, "consoles", "vitest")).sort()).toEqual([
      "0001-board-t-serial.txt",
      "README",
    ]);
    expect(readFileSync(join(root, "consoles", "vitest", "0001-board-t-serial.txt"), "utf8")).toBe("second");
  });

  it("warns about transcript artifacts it cannot use and links the rest", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root, html: false, summary: false });
    reporter.onInit(vitest());
    reporter.onTestRunStart();
    recordLeaseEvent(requested("local-1", 0));
    const artifacts = [
      { type: CONSOLE_TRANSCRIPT_ARTIFACT, attachments: [{ body: "x", bodyEncoding: "utf-8" }] },
      { type: CONSOLE_TRANSCRIPT_ARTIFACT, name: "empty" },
      { type: CONSOLE_TRANSCRIPT_ARTIFACT, name: "gone", attachments: [{ path: join(root, "missing.txt") }] },
      // vitest turns binary bodies into base64 strings.
      {
        type: CONSOLE_TRANSCRIPT_ARTIFACT,
        name: "serial",
        attachments: [{ body: btoa("ok"), bodyEncoding: "base64" }],
      },
    ];
    const dutkit = { leases: [{ leaseId: "local-1", calls: {} }] };
    reporter.onTestCaseResult(testCase({ name: "t", state: "passed", dutkit, artifacts }));
    reporter.onTestRunEnd();
    closeVitest();

    const report = readReport(root);
    expect(report.leases[0]?.tests[0]?.consoles).toEqual([
      { name: "serial", file: "consoles/vitest/0001-board-t-serial.txt" },
    ]);
    expect(readFileSync(join(root, "consoles/vitest/0001-board-t-serial.txt"), "utf8")).toBe("ok");
    expect(report.warnings).toEqual([
      expect.stringMatching(/artifact that has no console name \(set its name field\); it is not linked$/),
      expect.stringMatching(/artifact that has no attachment with the transcript; it is not linked$/),
      expect.stringMatching(/artifact that cannot be read \(.*missing\.txt.*\); it is not linked$/),
    ]);
  });

  it("writes an empty report and prints nothing when no test used a lease", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root });
    reporter.onInit(vitest());
    reporter.onTestRunStart();
    reporter.onTestCaseResult(testCase({ name: "plain", state: "passed", duration: 1 }));
    reporter.onTestRunEnd();
    closeVitest();

    const report = readReport(root);
    expect(report.leases).toEqual([]);
    expect(report.totals.leases).toBe(0);
    expect(log).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it("warns about malformed metadata and leaves that test out", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root, html: false });
    reporter.onInit(vitest());
    reporter.onTestRunStart();
    reporter.onTestCaseResult(
      testCase({ name: "odd", state: "passed", dutkit: { leases: [{ leaseId: 7 }] } }),
    );
    reporter.onTestRunEnd();
    closeVitest();

    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('test "board > odd" carries a malformed task.meta.dutkit'),
    );
    expect(readReport(root).warnings).toHaveLength(1);
  });

  it("honours html: false and summary: false", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root, html: false, summary: false });
    reporter.onInit(vitest());
    reporter.onTestRunStart();
    recordLeaseEvent(requested("local-1", 0));
    reporter.onTestRunEnd();
    closeVitest();

    expect(readdirSync(root).sort()).toEqual(["lease-usage-history.jsonl", "lease-usage-vitest.json"]);
    expect(readReport(root).leases).toHaveLength(1);
    expect(log).not.toHaveBeenCalled();
  });

  it("in watch mode, reports after each run and starts the next afresh", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root, summary: false });
    reporter.onInit(vitest({ watch: true }));
    expect(closeHandlers).toEqual([]);
    reporter.onTestRunStart();
    recordLeaseEvent(requested("first", 0));
    reporter.onTestRunEnd();
    expect(readReport(root).leases.map((l) => l.id)).toEqual(["first"]);

    reporter.onTestRunStart();
    recordLeaseEvent(requested("second", 0));
    reporter.onTestRunEnd();
    expect(readReport(root).leases.map((l) => l.id)).toEqual(["second"]);
  });

  it("in a single run, waits for vitest to close so that global setup's leases are released", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root, html: false });
    reporter.onInit(vitest());
    reporter.onTestRunStart();
    recordLeaseEvent(requested("run-lease", 0, { scope: "run" }));
    recordLeaseEvent(acquired("run-lease", 10));
    reporter.onTestRunEnd();
    expect(readdirSync(root)).toEqual([]);
    expect(log).not.toHaveBeenCalled();

    // Global setup teardown, which vitest runs in close() before the onClose handlers.
    recordLeaseEvent(released("run-lease", 5_000));
    closeVitest();
    expect(readReport(root).leases[0]).toMatchObject({
      releasedAt: released("run-lease", 5_000).at,
      heldMs: 4_990,
    });
    expect(log).toHaveBeenCalledTimes(1);
  });

  it("removes the spool without a report when vitest closes before any run ended", () => {
    const reporter = new DutkitLeaseReporter({ outputDir: root });
    const spool = process.env[USAGE_SPOOL_ENV]!;
    reporter.onInit(vitest());
    closeVitest();
    expect(existsSync(spool)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it("fails with a stable code when the report cannot be written, and still cleans up the spool", () => {
    writeFileSync(join(root, "a-file"), "");
    const reporter = new DutkitLeaseReporter({ outputDir: "a-file/usage" });
    const spool = process.env[USAGE_SPOOL_ENV]!;
    reporter.onInit(vitest());
    reporter.onTestRunStart();
    reporter.onTestRunEnd();
    expect(() => closeVitest()).toThrow(
      expect.objectContaining({
        code: "ERR_DUTKIT_USAGE_REPORT_WRITE",
        message: expect.stringContaining("outputDir"),
      }),
    );
    expect(existsSync(spool)).toBe(false);
  });

  it("rejects options of the wrong type with a stable code", () => {
    expect(() => new DutkitLeaseReporter({ html: "no" } as never)).toThrow(
      expect.objectContaining({
        code: "ERR_DUTKIT_USAGE_REPORTER_OPTIONS",
        message: expect.stringContaining("html"),
      }),
    );
  });
});
