// The mock-board example suites, unchanged, against a board over the wire: once through
// `dutkit shell --exporter-config` (a local exporter served on a unix socket) and once through a
// lease from a one-host controller. The inner vitest connects through JUMPSTARTER_HOST, and
// writes its lease-usage report to a temp folder of its own, never to the repo's lease-usage/.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Lab, MOCK_BOARD, startLab, writeClientConfigFile } from "../controller/__fixtures__/lab.ts";
import { USAGE_SPOOL_ENV } from "../usage/events.ts";
import { INNER_OUTPUT_DIR_ENV, INNER_VITEST_CONFIG } from "./__fixtures__/inner-vitest.ts";
import { within } from "./__fixtures__/output-watch.ts";
import { run } from "./program.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const repoResults = join(root, "lease-usage");
const vitestCli = join(root, "node_modules/vitest/vitest.mjs");
createRequire(import.meta.url).resolve("vitest"); // fail early with a clear message if it is missing
const examples = ["example-tests/mock-board/power.test.ts", "example-tests/mock-board/shell.test.ts"];
const innerVitest = [
  process.execPath,
  vitestCli,
  "run",
  "--config",
  INNER_VITEST_CONFIG,
  "--root",
  root,
  "--project",
  "examples",
  ...examples,
];

let lab: Lab;
let clientConfig: string;
let output = "";
const io = {
  stdout: (text: string) => {
    output += text;
  },
  stderr: (text: string) => {
    output += text;
  },
};

beforeAll(async () => {
  lab = await startLab();
  await lab.startExporter("mock-board");
  clientConfig = await writeClientConfigFile(lab);
});
afterAll(() => lab?.close());

async function digestOf(path: string): Promise<string> {
  try {
    return createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw error;
  }
}

/** What an inner run writing to the repo's lease-usage/ would change: its report files and the transcripts it clears. */
async function repoResultsState() {
  let consoles: string[] = [];
  try {
    consoles = (await readdir(join(repoResults, "consoles", "vitest"))).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const files = [
    "lease-usage-vitest.json",
    "lease-usage-vitest.html",
    "lease-usage-history.jsonl",
    ...consoles.map((c) => `consoles/vitest/${c}`),
  ];
  return Object.fromEntries(
    await Promise.all(files.map(async (f) => [f, await digestOf(join(repoResults, f))])),
  );
}

/**
 * Runs `dutkit shell … -- vitest` with this run's lease-usage spool kept out of the inner run and
 * the inner report sent to a temp folder; checks the repo's lease-usage/ kept what it had.
 */
async function shell(args: string[]): Promise<{ code: number; report: string }> {
  const saved = { spool: process.env[USAGE_SPOOL_ENV], inner: process.env[INNER_OUTPUT_DIR_ENV] };
  const innerResults = await mkdtemp(join(tmpdir(), "dutkit-inner-results-"));
  delete process.env[USAGE_SPOOL_ENV];
  process.env[INNER_OUTPUT_DIR_ENV] = innerResults;
  output = "";
  try {
    const before = await repoResultsState();
    const code = await within(
      run(["shell", ...args, "--", ...innerVitest], io),
      100_000,
      `dutkit shell ${args.join(" ")} -- vitest run`,
      () => `; output:\n${output}`,
    );
    // The outer run may add transcripts meanwhile (other files); it removes none until it ends.
    expect(await repoResultsState(), "the repo's lease-usage/ after the inner run").toMatchObject(before);
    const report = await readFile(join(innerResults, "lease-usage-vitest.json"), "utf8").catch(
      (error: Error) => {
        throw new Error(
          `the inner run left no lease-usage-vitest.json in its own folder (${error.message}); output:\n${output}`,
        );
      },
    );
    return { code, report };
  } finally {
    for (const [name, value] of [
      [USAGE_SPOOL_ENV, saved.spool],
      [INNER_OUTPUT_DIR_ENV, saved.inner],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(innerResults, { recursive: true, force: true });
  }
}

/** The inner report names every test of the example files, all passed, on the mock board. */
function expectExampleReport(report: string): void {
  const { leases } = JSON.parse(report) as {
    leases: { exporter: { name: string }; tests: { file: string; outcome: string }[] }[];
  };
  expect(leases.map((l) => l.exporter.name)).toEqual(examples.map(() => "mock-board"));
  const tests = leases.flatMap((l) => l.tests);
  expect([...new Set(tests.map((t) => t.file))].sort()).toEqual([...examples].sort());
  expect(tests.filter((t) => t.outcome !== "passed")).toEqual([]);
}

test("the example suites pass through dutkit shell --exporter-config, reporting to their own folder", {
  timeout: 120_000,
}, async () => {
  const { code, report } = await shell(["--exporter-config", MOCK_BOARD]);
  expect(code, output).toBe(0);
  expectExampleReport(report);
});

test("the example suites pass through a lease from dutkit controller, reporting to their own folder", {
  timeout: 120_000,
}, async () => {
  const { code, report } = await shell(["-l", "board=mock", "--client-config", clientConfig]);
  expect(code, output).toBe(0);
  expectExampleReport(report);
});
