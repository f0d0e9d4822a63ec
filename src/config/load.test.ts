import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import "./__fixtures__/test-drivers.ts";
import { header, issuesOf, withExport } from "./__fixtures__/config-text.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { loadExporterConfig, parseExporterConfig } from "./load.ts";

function onlyIssue(text: string): ConfigIssue {
  const issues = issuesOf(text);
  expect(issues).toHaveLength(1);
  return issues[0]!;
}

describe("parseExporterConfig accepts", () => {
  test("a typed driver, with the checked config and where it came from", () => {
    const loaded = parseExporterConfig(
      withExport(
        "  power:",
        "    type: TestPowerX",
        "    config: {voltage: 12}",
        "    description: bench PSU",
      ),
      "bench.yaml",
      "/lab",
    );
    expect(loaded).toEqual({
      source: "bench.yaml",
      dir: "/lab",
      config: {
        apiVersion: "jumpstarter.dev/v1alpha1",
        kind: "ExporterConfig",
        metadata: { name: "bench-1" },
        export: { power: { type: "TestPowerX", config: { voltage: 12 }, description: "bench PSU" } },
      },
    });
  });

  test("a type selected by its alias, bare children (a composite) and a ref", () => {
    const { config } = parseExporterConfig(
      withExport(
        "  board:",
        "    children:",
        "      power: {type: test_driver_power.driver.TestPowerX}",
        "      serial: {type: TestSerialX, config: {port: /dev/ttyUSB0}}",
        "  power: {ref: board.power}",
      ),
      "bench.yaml",
    );
    expect(config.export).toEqual({
      board: {
        children: {
          power: { type: "test_driver_power.driver.TestPowerX" },
          serial: { type: "TestSerialX", config: { port: "/dev/ttyUSB0" } },
        },
      },
      power: { ref: "board.power" },
    });
  });

  test("the top-level fields, labels and a driver that takes children", () => {
    const { config } = parseExporterConfig(
      [
        "apiVersion: jumpstarter.dev/v1alpha1",
        "kind: ExporterConfig",
        "metadata: {name: rpi4-01, namespace: lab, labels: {board: rpi4}}",
        "endpoint: grpc.example.com:443",
        "token: abc",
        "tls: {ca: '', insecure: true}",
        "grpcOptions: {grpc.keepalive_time_ms: 10000}",
        "description: a Raspberry Pi",
        "motd: be nice",
        "exitOnLeaseEnd: true",
        "hooks:",
        "  beforeLease: {script: j power on, timeout: 60, onFailure: endLease}",
        "export:",
        "  board:",
        "    type: TestBoardX",
        "    labels: {slot: '3'}",
        "    children:",
        "      power: {type: TestPowerX}",
      ].join("\n"),
      "rpi.yaml",
    );
    expect(config.metadata).toEqual({ name: "rpi4-01", namespace: "lab", labels: { board: "rpi4" } });
    expect(config.tls).toEqual({ ca: "", insecure: true });
    expect(config.grpcOptions).toEqual({ "grpc.keepalive_time_ms": 10000 });
    expect(config.hooks).toEqual({
      beforeLease: { script: "j power on", timeout: 60, onFailure: "endLease" },
    });
    expect(config.export.board).toEqual({
      type: "TestBoardX",
      labels: { slot: "3" },
      children: { power: { type: "TestPowerX" } },
    });
  });

  test("the dir defaults to the directory of the source", () => {
    const loaded = parseExporterConfig(withExport("  power: {type: TestPowerX}"), "/lab/bench/exporter.yaml");
    expect(loaded.dir).toBe("/lab/bench");
  });
});

describe("parseExporterConfig rejects, naming file, line, column, path and a fix:", () => {
  test("broken YAML", () => {
    const issue = onlyIssue(withExport("  power: {type: TestPowerX", "  serial: {type: TestSerialX}"));
    expect(issue).toMatchObject({ file: "bench.yaml", line: 7, path: "" });
    expect(issue.message).toMatch(/^invalid YAML: /);
    expect(issue.fix).toMatch(/syntax/);
  });

  test("tabs for indentation", () => {
    const issue = onlyIssue(withExport("\tpower: {type: TestPowerX}"));
    expect(issue).toMatchObject({ line: 6, column: 1, fix: "indent with spaces, not tabs" });
  });

  test("a wrong apiVersion", () => {
    const issue = onlyIssue(withExport("  power: {type: TestPowerX}").replace("v1alpha1", "v1"));
    expect(issue).toMatchObject({
      line: 1,
      column: 13,
      path: "apiVersion",
      expected: '"jumpstarter.dev/v1alpha1"',
      fix: 'write "apiVersion: jumpstarter.dev/v1alpha1"',
    });
  });

  test("a wrong kind", () => {
    const issue = onlyIssue(
      withExport("  power: {type: TestPowerX}").replace("kind: ExporterConfig", "kind: ClientConfig"),
    );
    expect(issue).toMatchObject({ line: 2, column: 7, path: "kind", expected: '"ExporterConfig"' });
    expect(issue.fix).toMatch(/kind: ExporterConfig/);
  });

  test("a missing metadata.name, saying that Jumpstarter requires it", () => {
    const text = withExport("  power: {type: TestPowerX}").replace("  name: bench-1", "  namespace: lab");
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({
      line: 3,
      column: 1,
      path: "metadata.name",
      message: 'missing required field "name"',
    });
    expect(issue.fix).toMatch(/add "name: <exporter name>" under metadata; Jumpstarter requires/);
  });

  test("an unknown driver type, suggesting the closest", () => {
    const issue = onlyIssue(withExport("  power:", "    type: TestPowrX"));
    expect(issue).toMatchObject({
      line: 7,
      column: 11,
      path: "export.power.type",
      message: 'unknown driver type "TestPowrX"',
      fix: 'did you mean "TestPowerX"?',
    });
    expect(issue.expected).toMatch(/^one of "TestPowerX", /);
    expect(issue.expected).toContain('"TestSerialX"');
  });

  test("an unknown config key, suggesting the known one", () => {
    const issue = onlyIssue(
      withExport("  power:", "    type: TestPowerX", "    config:", "      voltag: 12"),
    );
    expect(issue).toMatchObject({
      line: 9,
      column: 7,
      path: "export.power.config.voltag",
      message: 'unknown field "voltag"',
      fix: 'did you mean "voltage"? otherwise remove it',
    });
    expect(issue.expected).toBe('one of the fields "voltage", "current", "label", "mode"');
  });

  test("a config value of the wrong type", () => {
    const issue = onlyIssue(withExport("  power:", "    type: TestPowerX", "    config: {voltage: twelve}"));
    expect(issue).toMatchObject({
      line: 8,
      column: 23,
      path: "export.power.config.voltage",
      message: 'wrong type: got the string "twelve"',
      expected: "a number",
      fix: "change the value to a number",
    });
  });

  test("a config value outside the allowed set", () => {
    const issue = onlyIssue(withExport("  power:", "    type: TestPowerX", "    config: {mode: dcc}"));
    expect(issue).toMatchObject({ path: "export.power.config.mode", expected: 'one of "ac", "dc"' });
    expect(issue.fix).toBe('did you mean "dc"?');
  });

  test("a config value outside its limits", () => {
    const issue = onlyIssue(withExport("  power:", "    type: TestPowerX", "    config: {voltage: -1}"));
    expect(issue).toMatchObject({
      path: "export.power.config.voltage",
      message: "too small: got number -1",
      expected: "a number > 0",
      fix: "use a number > 0",
    });
  });

  test("a missing required config field, pointing at the entry", () => {
    const issue = onlyIssue(withExport("  serial:", "    type: TestSerialX"));
    expect(issue).toMatchObject({
      line: 6,
      column: 3,
      path: "export.serial.config.port",
      message: 'missing required field "port"',
      expected: "a string",
    });
  });

  test("duplicate driver names", () => {
    const issue = onlyIssue(
      withExport("  power: {type: TestPowerX}", "  power: {type: TestSerialX, config: {port: x}}"),
    );
    expect(issue).toMatchObject({
      line: 7,
      column: 3,
      path: "export.power",
      message: 'duplicate key "power" (first defined on line 6)',
    });
    expect(issue.fix).toMatch(/rename one of them/);
  });

  test("an empty export", () => {
    const issue = onlyIssue(withExport("  {}"));
    expect(issue).toMatchObject({
      line: 6,
      column: 3,
      path: "export",
      message: "the exporter exports no drivers",
    });
    expect(issue.fix).toMatch(/add "export:" with at least one driver/);
  });

  test("a missing export", () => {
    const issue = onlyIssue(header.join("\n"));
    expect(issue).toMatchObject({
      line: 1,
      column: 1,
      path: "export",
      message: 'missing required field "export"',
    });
  });

  test("children under a driver type that takes none", () => {
    const issue = onlyIssue(
      withExport(
        "  power:",
        "    type: TestPowerX",
        "    children:",
        "      serial: {type: TestSerialX, config: {port: x}}",
      ),
    );
    expect(issue).toMatchObject({ line: 8, column: 5, path: "export.power.children" });
    expect(issue.message).toBe('driver type "TestPowerX" takes no children, but has "serial"');
    expect(issue.fix).toMatch(/remove "children"/);
  });

  test("a missing required child", () => {
    const issue = onlyIssue(
      withExport(
        "  board:",
        "    type: TestBoardX",
        "    children: {serial: {type: TestSerialX, config: {port: x}}}",
      ),
    );
    expect(issue).toMatchObject({ line: 8, column: 15, path: "export.board.children" });
    expect(issue.message).toBe('driver type "TestBoardX" needs the children "power"');
  });

  test("labels that are not strings", () => {
    const issue = onlyIssue(withExport("  power:", "    type: TestPowerX", "    labels: {rev: 2}"));
    expect(issue).toMatchObject({
      line: 8,
      column: 19,
      path: "export.power.labels.rev",
      expected: "a string",
      fix: "put the value in quotes to make it a string",
    });
  });

  test("an entry that is neither a driver, a group nor a ref", () => {
    const issue = onlyIssue(withExport("  power:", "    description: no type"));
    expect(issue).toMatchObject({ line: 7, column: 5, path: "export.power" });
    expect(issue.message).toBe('the entry has no "type", "children" or "ref"');
  });

  test("unknown top-level fields", () => {
    const issue = onlyIssue(withExport("  power: {type: TestPowerX}").replace("kind:", "endpint: x\nkind:"));
    expect(issue).toMatchObject({
      line: 2,
      column: 1,
      path: "endpint",
      fix: 'did you mean "endpoint"? otherwise remove it',
    });
  });

  test("every problem of the file at once, in document order", () => {
    const issues = issuesOf(
      withExport(
        "  power:",
        "    type: TestPowerX",
        "    config: {voltage: -1, colour: red}",
        "  serial: {type: Nope}",
        "  alias: {ref: nowhere}",
      ).replace("kind: ExporterConfig", "kind: Exporter"),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      "kind",
      "export.power.config.voltage",
      "export.power.config.colour",
      "export.serial.type",
      "export.alias.ref",
    ]);
  });

  test("the ConfigError's message lists each issue with its position", () => {
    let error: unknown;
    try {
      parseExporterConfig(withExport("  power: {type: TestPowerX, config: {voltage: x}}"), "bench.yaml");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("ERR_DUTKIT_CONFIG");
    expect((error as ConfigError).message).toBe(
      "bench.yaml: 1 problem in the exporter config:\n" +
        '  bench.yaml:6:47 export.power.config.voltage: wrong type: got the string "x" — expected a number — fix: change the value to a number',
    );
  });
});

describe("loadExporterConfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dutkit-config-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("reads a file; relative paths in it resolve against its directory", async () => {
    const path = join(dir, "exporter.yaml");
    await writeFile(path, withExport("  power: {type: TestPowerX}"));
    const loaded = await loadExporterConfig(path);
    expect(loaded.source).toBe(path);
    expect(loaded.dir).toBe(dir);
    expect(loaded.config.export.power).toEqual({ type: "TestPowerX" });
  });

  test("a missing file is a ConfigError that says so", async () => {
    const path = join(dir, "missing.yaml");
    await expect(loadExporterConfig(path)).rejects.toMatchObject({
      code: "ERR_DUTKIT_CONFIG",
      issues: [{ file: path, message: "the file does not exist", fix: "check the path" }],
    });
  });
});
