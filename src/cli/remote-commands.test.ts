import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, MOCK_BOARD, startLab, writeClientConfigFile } from "../controller/__fixtures__/lab.ts";
import "../drivers/index.ts";
import { GrpcTransport } from "../client/grpc/index.ts";
import { buildClientTree } from "../client/tree.ts";
import { serveSession } from "../exporter/grpc/index.ts";
import { openLocalSession } from "../exporter/local.ts";
import { runCli, startCli } from "./__fixtures__/run-cli.ts";
import { requestStop } from "./run.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
let lab: Lab;
let clientConfig: string;

const cli = runCli;

beforeAll(async () => {
  lab = await startLab();
  await lab.startExporter("mock-board");
  clientConfig = await writeClientConfigFile(lab);
});
afterAll(() => lab?.close());

describe("dutkit lease", () => {
  it("creates, lists and deletes leases", async () => {
    const created = await cli([
      "lease",
      "create",
      "-l",
      "board=mock",
      "--duration",
      "10m",
      "--wait",
      "-o",
      "name",
      "--client-config",
      clientConfig,
    ]);
    expect(created).toMatchObject({ code: 0 });
    const id = created.stdout.trim();
    const listed = await cli(["lease", "list", "-o", "json", "--client-config", clientConfig]);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { id, state: "ready", exporter: "mock-board", selector: "board=mock" },
    ]);
    expect(await cli(["lease", "delete", "--all", "--client-config", clientConfig])).toMatchObject({
      code: 0,
      stdout: `${id}\n`,
    });
    const again = await cli(["lease", "delete", id, "--client-config", clientConfig]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/FAILED_PRECONDITION: lease ".*" has already ended.*ERR_DUTKIT_CONTROLLER/);
  });

  it("fails at once for a selector nothing matches", async () => {
    const result = await cli([
      "lease",
      "create",
      "-l",
      "board=x",
      "--duration",
      "1m",
      "--client-config",
      clientConfig,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot be satisfied: no exporter matches selector "board=x"/);
  });
});

describe("dutkit shell", () => {
  it("runs a command against a local exporter config with the env set, exiting with its status", async () => {
    const out = join(lab.dir, "local-env.txt");
    const script = `echo "$JUMPSTARTER_HOST|$JMP_EXPORTER|$JMP_EXPORTER_LABELS|$JMP_DRIVERS_ALLOW" > ${out}; exit 3`;
    // The example config has no labels (Jumpstarter refuses metadata.labels); dutkit reads them.
    const labelled = join(lab.dir, "labelled-board.yaml");
    const text = await readFile(MOCK_BOARD, "utf8");
    await writeFile(
      labelled,
      text.replace("  name: mock-board\n", "  name: mock-board\n  labels: {board: mock, site: local}\n"),
    );
    const result = await cli(["shell", "--exporter-config", labelled, "--", "sh", "-c", script]);
    expect(result.code).toBe(3);
    const [host, exporter, labels, allow] = (await readFile(out, "utf8")).trim().split("|");
    expect(host).toMatch(/dutkit-shell-.*socket$/);
    expect({ exporter, labels, allow }).toEqual({
      exporter: "mock-board",
      labels: "board=mock,site=local",
      allow: "UNSAFE",
    });
  });

  it("leases by selector, and `dutkit j` drives the board through the tunnel", async () => {
    const out = join(lab.dir, "leased.txt");
    const j = `node --import ${join(root, "scripts/ts-loader.mjs")} ${join(root, "src/cli/main.ts")} j`;
    const script = `{ echo "$JMP_LEASE|$JMP_EXPORTER"; ${j} shell hello tunnel; } > ${out} 2>&1`;
    const result = await cli([
      "shell",
      "-l",
      "board=mock",
      "--client-config",
      clientConfig,
      "--",
      "sh",
      "-c",
      script,
    ]);
    expect(result.code).toBe(0);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines[0]).toMatch(/^[0-9a-f-]+\|mock-board$/);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ stdout: "hello tunnel\n", exitCode: 0 });
    // The shell created the lease, so it deleted it.
    expect(lab.controller.book.lease(lines[0]!.split("|")[0]!)?.ended?.reason).toBe("Released");
  }, 30_000);

  it("names the ways to pick a board when none is given", async () => {
    const saved = process.env.JMP_LEASE;
    delete process.env.JMP_LEASE;
    const result = await cli(["shell", "--", "true"]);
    if (saved !== undefined) process.env.JMP_LEASE = saved;
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toMatch(/--exporter-config FILE, -l SELECTOR/);
  });
});

describe("dutkit j", () => {
  it("calls a driver at JUMPSTARTER_HOST and explains when it is unset", async () => {
    const session = await openLocalSession(MOCK_BOARD);
    const served = await serveSession(session, { listen: join(lab.dir, "j.sock") });
    const saved = process.env.JUMPSTARTER_HOST;
    try {
      process.env.JUMPSTARTER_HOST = served.address;
      expect(await cli(["j", "power", "on"])).toMatchObject({ code: 0 });
      const hello = await cli(["j", "shell", "hello", "j"]);
      expect(JSON.parse(hello.stdout)).toMatchObject({ stdout: "hello j\n" });
      expect((await cli(["j", "nope", "on"])).stderr).toMatch(/no driver "nope"/);
      delete process.env.JUMPSTARTER_HOST;
      expect((await cli(["j", "power", "on"])).stderr).toMatch(/JUMPSTARTER_HOST is not set/);
    } finally {
      if (saved !== undefined) process.env.JUMPSTARTER_HOST = saved;
      await served.close();
      await session.close();
    }
  });
});

describe("dutkit run", () => {
  it("serves an exporter config standalone on a unix socket until stopped", async () => {
    const path = join(lab.dir, "standalone.sock");
    const running = startCli(["run", "--exporter-config", MOCK_BOARD, "--unix", path]);
    try {
      const [line] = await running.line(/^serving .*$/m, "dutkit run to say it is serving");
      expect(line).toBe(`serving mock-board at ${path} (JUMPSTARTER_HOST=${path})`);
      const transport = await GrpcTransport.connect(path);
      await (buildClientTree(await transport.report(), transport) as any).power.on();
      await transport.close();
    } finally {
      requestStop();
    }
    expect(await running.done).toBe(0);
  }, 30_000);
});

describe("dutkit controller", () => {
  it("serves leases from a config file until stopped", async () => {
    const config = join(lab.dir, "second.yaml");
    await writeFile(
      config,
      lab.configText
        .replace(/listen: .*/, `listen: ${join(lab.dir, "second.sock")}`)
        .replace("state.json", "second.json"),
    );
    const running = startCli(["controller", "--config", config]);
    try {
      const [line] = await running.line(/^.*serving at.*$/m, "dutkit controller to say it is serving");
      expect(line).toMatch(/controller for namespace lab serving at .*second\.sock \(1 clients, 1 exporters/);
    } finally {
      requestStop();
    }
    expect(await running.done).toBe(0);
  }, 30_000);
});
