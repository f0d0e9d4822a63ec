// `dutkit run --exporter-config F` as the README describes it: F carries Jumpstarter's
// ExporterConfig `endpoint:` and `token:`, no --endpoint/--token flags are given, and the exporter
// registers with the controller, so a client can lease the board and call it.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import "../drivers/index.ts";
import { buildClientTree } from "../client/tree.ts";
import { type Lab, MOCK_BOARD, startLab, tokenOf } from "../controller/__fixtures__/lab.ts";
import { LeaseClient } from "../lease/lease-client.ts";
import { runCli } from "./__fixtures__/run-cli.ts";
import { spawnCli } from "./__fixtures__/spawn-cli.ts";

let lab: Lab;
let leases: LeaseClient;

beforeAll(async () => {
  // The lab declares the exporter; nothing in this process serves it.
  lab = await startLab({ exporters: { "cli-board": { board: "cli" } } });
  leases = new LeaseClient(lab.clientConfig());
});
afterAll(async () => {
  leases?.close();
  await lab?.close();
});

/** The mock board as exporter cli-board, with Jumpstarter's `endpoint:` and `token:` fields; returns its path. */
async function writeExporterConfig(file: string, token: string): Promise<string> {
  const config = join(lab.dir, file);
  const mock = await readFile(MOCK_BOARD, "utf8");
  expect(mock).toMatch(/^ {2}name: mock-board$/m);
  await writeFile(
    config,
    `${mock.replace(/^ {2}name: mock-board$/m, "  name: cli-board")}` +
      `endpoint: ${JSON.stringify(lab.controller.address)}\ntoken: ${token}\n`,
  );
  return config;
}

test("dutkit run registers with the endpoint and token of the exporter config, and serves leases", async () => {
  const config = await writeExporterConfig("cli-board.yaml", tokenOf("exporter", "cli-board"));
  const cli = spawnCli(["run", "--exporter-config", config]);
  try {
    await cli.line(/^exporter cli-board registered; waiting for leases$/m, "dutkit run to register");
    const held = await leases.acquire({ selector: "board=cli", durationS: 60, pollMs: 50 });
    try {
      expect(held.exporterName).toBe("cli-board");
      const transport = await held.connect();
      try {
        const board = buildClientTree(await transport.report(), transport) as any;
        await board.power.on();
        expect(await board.power.state()).toBe("on");
        expect(await board.power.history()).toMatchObject([{ method: "on" }]);
      } finally {
        await transport.close();
      }
    } finally {
      await held.release();
    }
    expect(await cli.stop("SIGTERM"), cli.output().stderr).toBe(0);
    const { stderr } = cli.output();
    expect(stderr).toContain(`registered cli-board with ${lab.controller.address}`);
    expect(stderr).toContain(`lease ${held.id} begins`);
  } finally {
    cli.child.kill("SIGKILL");
  }
}, 120_000);

test("dutkit run with a wrong token in the exporter config says which token to check", async () => {
  const config = await writeExporterConfig("wrong-token.yaml", "token-exporter-cli-board-wrong");
  const { code, stdout, stderr } = await runCli(["run", "--exporter-config", config]);
  expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
  expect(stderr).toContain(
    'Register failed with UNAUTHENTICATED: the token is not valid for exporter "cli-board"',
  );
  expect(stderr).toContain("check the token in your exporter config");
  expect(stderr).not.toContain("client config");
});
