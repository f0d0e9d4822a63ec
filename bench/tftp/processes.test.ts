// The benchmark's servers start as the benchmark starts them and serve a file byte-exact: the
// compile step (bench/tftp/compile.ts) once broke silently when the engine gained imports.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  host,
  type RunningServer,
  type ServerReport,
  startCliServer,
  startOurServer,
  timeClient,
} from "./processes.ts";

let dir: string;
const content = randomBytes(200_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-bench-processes-"));
  await writeFile(join(dir, "file.bin"), content);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fetchOnce(server: RunningServer, out: string): Promise<ServerReport> {
  let report: ServerReport;
  try {
    await timeClient("busybox", [
      "tftp",
      "-g",
      "-r",
      "file.bin",
      "-l",
      out,
      "-b",
      "1468",
      host,
      String(server.port),
    ]);
  } finally {
    report = await server.stop();
  }
  expect((await readFile(out)).equals(content), "the fetched file equals the served one").toBe(true);
  return report;
}

describe("the TFTP benchmark's servers", () => {
  test.each(["native", "javascript"] as const)(
    "our server in its child process (%s engine) serves a file",
    async (engine) => {
      const server = await startOurServer(dir, { engine, workers: 0 });
      const report = await fetchOnce(server, join(dir, `out-${engine}`));
      expect(report.stats).toMatchObject({ startedTransfers: 1, completedTransfers: 1 });
    },
    60_000,
  );

  test("the compiled CLI serves a file", async () => {
    const server = await startCliServer(dir, 0);
    const report = await fetchOnce(server, join(dir, "out-cli"));
    expect(report.stats).toEqual({ startedTransfers: 1, completedTransfers: 1 });
  }, 120_000);
});
