// The mock-board example suites, unchanged, against a board over the wire: once through
// `dutkit shell --exporter-config` (a local exporter served on a unix socket) and once through a
// lease from a one-host controller. The inner vitest connects through JUMPSTARTER_HOST.
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Lab, MOCK_BOARD, startLab, writeClientConfigFile } from "../controller/__fixtures__/lab.ts";
import { USAGE_SPOOL_ENV } from "../usage/events.ts";
import { run } from "./program.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const vitestCli = join(root, "node_modules/vitest/vitest.mjs");
createRequire(import.meta.url).resolve("vitest"); // fail early with a clear message if it is missing
const examples = ["example-tests/mock-board/power.test.ts", "example-tests/mock-board/shell.test.ts"];
const innerVitest = [
  process.execPath,
  vitestCli,
  "run",
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

/** Runs `dutkit shell … -- vitest` with this run's lease-usage spool kept out of the inner run. */
async function shell(args: string[]): Promise<number> {
  const saved = process.env[USAGE_SPOOL_ENV];
  delete process.env[USAGE_SPOOL_ENV];
  output = "";
  try {
    return await run(["shell", ...args, "--", ...innerVitest], io);
  } finally {
    if (saved !== undefined) process.env[USAGE_SPOOL_ENV] = saved;
  }
}

test("the example suites pass through dutkit shell --exporter-config", { timeout: 120_000 }, async () => {
  expect(await shell(["--exporter-config", MOCK_BOARD]), output).toBe(0);
});

test("the example suites pass through a lease from dutkit controller", { timeout: 120_000 }, async () => {
  expect(await shell(["-l", "board=mock", "--client-config", clientConfig]), output).toBe(0);
});
