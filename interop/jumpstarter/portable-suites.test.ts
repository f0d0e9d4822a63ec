// The example suites, unchanged, against Jumpstarter's own exporter, started as a user starts it:
// `jmp shell --exporter-config exporter.yaml -- npx vitest run …`. Tests of dutkit-only methods skip
// there with their reason; everything else passes.
import { createSocket } from "node:dgram";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { peerEnv, REPO, readInnerResults, runToEnd, scratch, venvBin } from "./helpers/peer.ts";

let dir: string;
let removeDir: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove: removeDir } = await scratch("suites"));
});
afterAll(() => removeDir?.());

interface JsonResults {
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

/** Runs example files in vitest inside `jmp shell`; returns each test's status by file and name. */
async function runInsideJmpShell(config: string, files: string[]): Promise<Record<string, string>> {
  const results = join(dir, `${files.length}-${Date.now()}.json`);
  const vitest = [
    process.execPath,
    join(REPO, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    join(REPO, "interop/jumpstarter/inner-vitest.config.ts"),
    "--project",
    "examples",
    ...files,
  ];
  const run = await runToEnd(
    venvBin("jmp"),
    ["shell", "--exporter-config", resolve(REPO, config), "--", ...vitest],
    {
      env: peerEnv(dir, { DUTKIT_INNER_RESULTS: results }),
      timeoutMs: 150_000,
    },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  // Jumpstarter 0.9.0's `jmp shell --exporter-config F -- cmd` exits 0 whatever cmd exits with,
  // so the inner run's JSON results are what tells how each test went.
  expect(run.code, output).toBe(0);
  const parsed = await readInnerResults<JsonResults>(results, "vitest", output);
  return Object.fromEntries(
    parsed.testResults.flatMap((file) =>
      file.assertionResults.map((t) => [`${file.name.slice(REPO.length)} > ${t.fullName}`, t.status]),
    ),
  );
}

test("the mock-board suites pass against Jumpstarter's exporter; dutkit-only tests skip", {
  timeout: 160_000,
}, async () => {
  const statuses = await runInsideJmpShell("example-tests/mock-board/exporter.yaml", [
    "example-tests/mock-board/power.test.ts",
    "example-tests/mock-board/shell.test.ts",
  ]);
  expect(statuses).toEqual({
    "example-tests/mock-board/power.test.ts > power on and off through the client": "passed",
    "example-tests/mock-board/power.test.ts > the switch is in the state it was last put in": "skipped",
    "example-tests/mock-board/power.test.ts > power readings stream": "passed",
    "example-tests/mock-board/power.test.ts > the driver kept a history tests can assert on": "skipped",
    "example-tests/mock-board/power.test.ts > a ref is the same driver again": "passed",
    "example-tests/mock-board/shell.test.ts > mock board shell runs a configured method with arguments":
      "passed",
    "example-tests/mock-board/shell.test.ts > mock board shell reports the exit code and stderr of a failing method":
      "passed",
    "example-tests/mock-board/shell.test.ts > mock board shell power is in the same block": "passed",
  });
});

test("the loop-console suite passes against Jumpstarter's exporter", { timeout: 160_000 }, async () => {
  const statuses = await runInsideJmpShell("example-tests/loop-console/exporter.yaml", [
    "example-tests/loop-console/console.test.ts",
  ]);
  expect(statuses).toEqual({
    "example-tests/loop-console/console.test.ts > a console reads back what it sends": "passed",
  });
});

/** A UDP port free on 127.0.0.1 right now: Jumpstarter's Tftp answers get_port with its config's port. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

test("the tftp-board suite passes against Jumpstarter's exporter; dutkit-only tests skip", {
  timeout: 160_000,
}, async () => {
  // The example's own file, with a fixed port and a root of this test's (Jumpstarter's default
  // root is /var/lib/tftpboot, and it keeps what was written there).
  const root = join(dir, "tftp-root");
  await mkdir(root);
  const example = await readFile(join(REPO, "example-tests/tftp-board/exporter.yaml"), "utf8");
  const config = join(dir, "tftp-board.yaml");
  await writeFile(
    config,
    example.replace("port: 0", `port: ${await freeUdpPort()}\n      root_dir: ${root}`),
  );
  const statuses = await runInsideJmpShell(config, ["example-tests/tftp-board/tftp.test.ts"]);
  const file = "example-tests/tftp-board/tftp.test.ts";
  expect(statuses).toEqual({
    [`${file} > a kernel written through storage is fetched byte-exact by busybox`]: "passed",
    [`${file} > files in subdirectories are served, with or without a leading /`]: "skipped",
    [`${file} > the server keeps a record of each transfer`]: "skipped",
    [`${file} > the storage stats and deletes what the board will see`]: "passed",
    [`${file} > the storage lists a directory the way dutkit's storage lists it`]: "skipped",
  });
});

interface PlaywrightResults {
  suites: PlaywrightSuite[];
}
interface PlaywrightSuite {
  title: string;
  specs?: { title: string; tests: { status: string }[] }[];
  suites?: PlaywrightSuite[];
}

test("the http-board Playwright suite passes against Jumpstarter's exporter", {
  timeout: 160_000,
}, async () => {
  const root = join(dir, "http-root");
  await mkdir(root);
  const example = await readFile(join(REPO, "example-tests/http-board/exporter.yaml"), "utf8");
  const config = join(dir, "http-board.yaml");
  await writeFile(
    config,
    example.replace("port: 0", `port: ${await freeTcpPort()}\n      root_dir: ${root}`),
  );
  const results = join(dir, "http-board.json");
  const playwright = [
    process.execPath,
    join(REPO, "node_modules/@playwright/test/cli.js"),
    "test",
    "-c",
    join(REPO, "interop/jumpstarter/inner-playwright.config.ts"),
    "http-board/",
  ];
  const run = await runToEnd(venvBin("jmp"), ["shell", "--exporter-config", config, "--", ...playwright], {
    env: peerEnv(dir, { DUTKIT_INNER_RESULTS: results, DUTKIT_INNER_OUTPUT: join(dir, "http-board-output") }),
    timeoutMs: 150_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  const parsed = await readInnerResults<PlaywrightResults>(results, "Playwright", output);
  const statuses: Record<string, string[]> = {};
  const visit = (suite: PlaywrightSuite) => {
    for (const spec of suite.specs ?? []) statuses[spec.title] = spec.tests.map((t) => t.status);
    for (const inner of suite.suites ?? []) visit(inner);
  };
  for (const suite of parsed.suites) visit(suite);
  expect(statuses, output).toEqual({
    "a page put on the board's HTTP server opens in Chromium, with its assets": ["expected"],
    "ranges and missing files, as a boot loader sees them": ["expected"],
  });
});

/** A TCP port free on 127.0.0.1 right now: Jumpstarter's HttpServer answers get_url with its config's port. */
async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
