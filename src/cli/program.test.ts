import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import "../config/__fixtures__/test-drivers.ts";
import { runCli } from "./__fixtures__/run-cli.ts";

const dutkit = (...args: string[]) => runCli(args);

describe("dutkit", () => {
  test("--help lists the command groups", async () => {
    const { code, stdout } = await dutkit("--help");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: dutkit \[options\] \[command\]/);
    expect(stdout).toMatch(/exporter\s+work with exporter configs/);
    expect(stdout).toMatch(/drivers \[options\]\s+list the driver types/);
  });

  test("--version prints the package version", async () => {
    const { code, stdout } = await dutkit("--version");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("an unknown command is a usage error", async () => {
    const { code, stderr } = await dutkit("frobnicate");
    expect(code).toBe(1);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });

  test("exporter validate --help describes its argument", async () => {
    const { code, stdout } = await dutkit("exporter", "validate", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: dutkit exporter validate [options] <files...>");
  });
});

describe("dutkit exporter validate", () => {
  let dir: string;
  const header =
    "apiVersion: jumpstarter.dev/v1alpha1\nkind: ExporterConfig\nmetadata: {name: cli}\nexport:\n";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dutkit-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  test("a good file: OK with its driver count, exit 0", async () => {
    const path = await file(
      "good.yaml",
      `${header}  power: {type: TestPowerX}\n  group: {children: {serial: {type: TestSerialX, config: {port: x}}}}\n  alias: {ref: power}\n`,
    );
    const { code, stdout, stderr } = await dutkit("exporter", "validate", path);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${path}: OK (2 drivers)\n`, stderr: "" });
  });

  test("a bad file: every issue with file:line:column, path, expectation and fix, exit 1", async () => {
    const path = await file(
      "bad.yaml",
      `${header}  power: {type: TestPowerX, config: {voltage: high}}\n  serial: {type: TestSerail}\n`,
    );
    const { code, stdout, stderr } = await dutkit("exporter", "validate", path);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n")).toEqual([
      `${path}:5:47 export.power.config.voltage: wrong type: got the string "high" — expected a number — fix: change the value to a number`,
      `${path}:6:18 export.serial.type: unknown driver type "TestSerail" — expected one of "TestSerialX", "TestPowerX", "TestBoardX" (or their Jumpstarter class paths) — fix: did you mean "TestSerialX"?`,
      "",
    ]);
  });

  test("root_dir: missing is a warning (exit 0), a file or a kernel filesystem an error (exit 1)", async () => {
    await import("../drivers/index.ts");
    const tftp = (rootDir: string) =>
      `${header}  tftp: {type: Tftp, config: {root_dir: ${JSON.stringify(rootDir)}, port: 0}}\n`;
    const missing = await file("missing-root.yaml", tftp("tfptboot"));
    const warned = await dutkit("exporter", "validate", missing);
    expect(warned).toEqual({
      code: 0,
      stdout: `${missing}: OK (1 driver)\n`,
      stderr: `${missing}: export.tftp: warning: config.root_dir ${join(dir, "tfptboot")} does not exist; the driver creates it when it starts (check the path for a typo)\n`,
    });
    const special = await file("proc-root.yaml", tftp("/proc/boot"));
    const refused = await dutkit("exporter", "validate", special);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr: `${special}: export.tftp: config.root_dir /proc/boot is under /proc, a kernel filesystem: give a directory on a disk\n`,
    });
    const onFile = await file("file-root.yaml", tftp("missing-root.yaml"));
    expect((await dutkit("exporter", "validate", onFile)).stderr).toContain(
      "is a file, not a directory: give a directory",
    );
  });

  test("several files: each is reported, and one bad file fails the run", async () => {
    const good = await file("one.yaml", `${header}  power: {type: TestPowerX}\n`);
    const missing = join(dir, "missing.yaml");
    const { code, stdout, stderr } = await dutkit("exporter", "validate", good, missing);
    expect(code).toBe(1);
    expect(stdout).toBe(`${good}: OK (1 driver)\n`);
    expect(stderr).toBe(`${missing} (document): the file does not exist — fix: check the path\n`);
  });

  test("no file is a usage error", async () => {
    const { code, stderr } = await dutkit("exporter", "validate");
    expect(code).toBe(1);
    expect(stderr).toContain("missing required argument 'files'");
  });
});

describe("dutkit drivers", () => {
  test("lists each type with its aliases, children and config fields", async () => {
    const { code, stdout } = await dutkit("drivers");
    expect(code).toBe(0);
    const power = stdout.split("\n\n").find((block) => block.startsWith("TestPowerX"));
    expect(power?.split("\n")).toEqual([
      "TestPowerX — A test power switch",
      "  aliases: test_driver_power.driver.TestPowerX",
      "  children: none",
      "  config:",
      "    voltage  number       default 5  volts",
      "    current  number       optional",
      "    label    string       optional",
      '    mode     "ac" | "dc"  optional',
    ]);
    expect(stdout).toContain(
      "TestBoardX — A test board that needs a power child\n  children: any (required: power)",
    );
  });

  test("--json gives the same facts plus each config's JSON Schema", async () => {
    const { code, stdout } = await dutkit("drivers", "--json");
    expect(code).toBe(0);
    const infos = JSON.parse(stdout) as { id: string }[];
    expect(infos.find((info) => info.id === "TestSerialX")).toEqual({
      id: "TestSerialX",
      aliases: [],
      summary: "A test serial port",
      children: { accepts: "none", required: [] },
      provides: [],
      config: [
        { name: "port", type: "string", required: true, description: "device path" },
        { name: "baud", type: "integer", required: false, default: 115200 },
      ],
      configSchema: expect.objectContaining({
        type: "object",
        required: ["port"],
        additionalProperties: false,
      }),
    });
  });
});
