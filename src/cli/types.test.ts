// `dutkit types <exporter.yaml>`: the generated description types a YAML board's fixtures, which a
// real `tsc` run checks (a typo is a type error), and the checked-in example is what it generates.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import "../drivers/index.ts";
import { runCli } from "./__fixtures__/run-cli.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const MOCK_BOARD = join(REPO, "example-tests/mock-board");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-types-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `tsc --noEmit` on `project` (bounded); resolves with its exit code and output. */
async function tsc(project: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-p", project], {
    cwd: project,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await once(child, "exit", { signal: AbortSignal.timeout(100_000) }).catch(() => {
    child.kill("SIGKILL");
    throw new Error(`tsc -p ${project} did not finish within 100 s (killed):\n${output}`);
  });
  return { code: child.exitCode, output };
}

describe("dutkit types", () => {
  test("the checked-in example-tests/mock-board/exporter.drivers.ts is what it generates now", async () => {
    // Beside a copy of the YAML, so the file names it as the checked-in one does: ./exporter.yaml.
    await copyFile(join(MOCK_BOARD, "exporter.yaml"), join(dir, "exporter.yaml"));
    const out = join(dir, "exporter.drivers.ts");
    const { code, stdout, stderr } = await runCli(["types", join(dir, "exporter.yaml"), "-o", out]);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toBe(`${out}: mockBoardDrivers and type MockBoardClient\n`);
    expect(
      await readFile(out, "utf8"),
      "run `dutkit types ./exporter.yaml -o exporter.drivers.ts` there",
    ).toBe(await readFile(join(MOCK_BOARD, "exporter.drivers.ts"), "utf8"));
    // Without -o, the same text on standard output.
    const printed = await runCli(["types", join(dir, "exporter.yaml")]);
    expect(printed.stdout.split("\n").slice(3)).toEqual((await readFile(out, "utf8")).split("\n").slice(3));
  });

  test("with the generated description, a typo in a driver or method name fails tsc", {
    timeout: 120_000,
  }, async () => {
    // Inside the repository, so `dutkit` and `dutkit/vitest` resolve through its tsconfig paths.
    await mkdir(join(REPO, ".tmp"), { recursive: true });
    const project = await mkdtemp(join(REPO, ".tmp", "types-"));
    try {
      await copyFile(join(MOCK_BOARD, "exporter.yaml"), join(project, "exporter.yaml"));
      const generated = await runCli([
        "types",
        join(project, "exporter.yaml"),
        "-o",
        join(project, "board.ts"),
      ]);
      expect(generated.code, generated.stderr).toBe(0);
      await writeFile(
        join(project, "tsconfig.json"),
        JSON.stringify({ extends: "../../tsconfig.json", compilerOptions: { noEmit: true }, include: ["."] }),
      );
      await writeFile(
        join(project, "use.test.ts"),
        [
          'import { boardTest } from "dutkit/vitest";',
          'import { mockBoardDrivers } from "./board.ts";',
          "",
          'const test = boardTest({ selector: "board=mock", drivers: mockBoardDrivers });',
          'test("typos", async ({ power, shell, client }) => {',
          "  await power.on();",
          '  await shell.hello("x");',
          "  await client.board.switch.off();",
          "  await power.toggle();",
          '  await shell.helo("x");',
          "});",
          "",
        ].join("\n"),
      );
      const { code, output } = await tsc(project);
      const errors = output.split("\n").filter((line) => line.includes("error TS"));
      expect(errors, output).toEqual([
        "use.test.ts(9,15): error TS2339: Property 'toggle' does not exist on type 'MockPowerClient'.",
        expect.stringMatching(
          /^use\.test\.ts\(10,15\): error TS2551: Property 'helo' does not exist on type .*\. Did you mean 'hello'\?$/,
        ),
      ]);
      expect(code).toBe(2);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  test("--check: 0 while the file is what it would write, 1 with the command to run once the YAML changed", async () => {
    const yaml = join(dir, "check.yaml");
    const out = join(dir, "check.drivers.ts");
    await copyFile(join(MOCK_BOARD, "exporter.yaml"), yaml);
    expect((await runCli(["types", yaml, "-o", out])).code).toBe(0);
    expect(await runCli(["types", yaml, "-o", out, "--check"])).toEqual({
      code: 0,
      stdout: `${out}: up to date\n`,
      stderr: "",
    });

    await writeFile(yaml, `${await readFile(yaml, "utf8")}  relay:\n    type: MockPower\n`);
    const before = await readFile(out, "utf8");
    expect(await runCli(["types", yaml, "-o", out, "--check"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${out} is out of date with its exporter config: run \`dutkit types ./check.yaml -o check.drivers.ts\` in its folder to write it again\n`,
    });
    expect(await readFile(out, "utf8")).toBe(before);

    const absent = await runCli(["types", yaml, "-o", join(dir, "absent.ts"), "--check"]);
    expect([absent.code, absent.stderr]).toEqual([
      1,
      expect.stringContaining("absent.ts does not exist: run"),
    ]);
    expect(await readdir(dir)).not.toContain("absent.ts");
    const bare = await runCli(["types", yaml, "--check"]);
    expect([bare.code, bare.stderr]).toEqual([
      1,
      "dutkit: --check needs -o <file>: the generated file to compare (ERR_DUTKIT_USAGE)\n",
    ]);
  });

  test("a config with a problem: the problem with its line, exit 1, nothing written", async () => {
    const yaml = join(dir, "broken.yaml");
    await writeFile(
      yaml,
      "apiVersion: jumpstarter.dev/v1alpha1\nkind: ExporterConfig\nmetadata: {name: b}\nexport:\n  power: {type: MockPowr}\n",
    );
    const out = join(dir, "broken.ts");
    const { code, stdout, stderr } = await runCli(["types", yaml, "-o", out]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${yaml}:5:17 export.power.type: unknown driver type "MockPowr"`);
    expect(await readdir(dir)).not.toContain("broken.ts");
  });

  test("an output folder that does not exist: says so, leaves no temporary file", async () => {
    await copyFile(join(MOCK_BOARD, "exporter.yaml"), join(dir, "exporter.yaml"));
    const out = join(dir, "missing", "board.ts");
    const { code, stderr } = await runCli(["types", join(dir, "exporter.yaml"), "-o", out]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^dutkit: cannot write ${out} \\(ENOENT.*\\); check that its directory exists and is writable`,
      ),
    );
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
