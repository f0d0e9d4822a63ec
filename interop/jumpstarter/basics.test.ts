// The calls that already cross between the implementations, both ways: Jumpstarter's `j` CLI and
// Python client against `dutkit run`, and dutkit's CLI against Jumpstarter's exporter in `jmp shell`.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  dutkitCommand,
  peerEnv,
  python,
  runToEnd,
  type Served,
  scratch,
  serveWithDutkit,
  venvBin,
} from "./helpers/peer.ts";

const CONFIG = join(import.meta.dirname, "configs/mock-board.yaml");
let dir: string;
let removeDir: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove: removeDir } = await scratch("basics"));
});
afterAll(() => removeDir?.());

describe("Jumpstarter's client against dutkit's exporter", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveWithDutkit(CONFIG, dir);
  }, 40_000);
  afterAll(() => served?.stop());
  const env = () => peerEnv(dir, { JUMPSTARTER_HOST: served.socket });

  test("`j` lists the board's drivers and calls power and shell", { timeout: 60_000 }, async () => {
    const help = await runToEnd(venvBin("j"), ["--help"], { env: env() });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/power\s+Generic power/);
    expect(help.stdout).toMatch(/shell\s+Shell command executor/);
    const on = await runToEnd(venvBin("j"), ["power", "on"], { env: env() });
    expect(on.code, on.stderr).toBe(0);
    const hello = await runToEnd(venvBin("j"), ["shell", "hello", "board"], { env: env() });
    expect(hello.code, hello.stderr).toBe(0);
    expect(hello.stdout).toBe("hello board\n");
  });

  test("the Python client calls, streams readings and sees dutkit's state", { timeout: 60_000 }, async () => {
    const result = await python(
      [
        "import json",
        "from jumpstarter.utils.env import env",
        "with env() as client:",
        "    client.power.on()",
        "    client.power.off()",
        "    readings = [{'voltage': r.voltage, 'current': r.current} for r in client.power.read()]",
        "    print(json.dumps({'readings': readings, 'children': sorted(client.children)}))",
      ].join("\n"),
      { env: env() },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      readings: [
        { voltage: 0, current: 0 },
        { voltage: 5, current: 2 },
      ],
      children: ["power", "shell"],
    });
  });

  test("a call with the wrong arguments is refused as INVALID_ARGUMENT; the exporter serves on", async () => {
    const result = await python(
      [
        "import json",
        "from jumpstarter.utils.env import env",
        "with env() as client:",
        "    try:",
        "        client.power.call('on', 1, 2)",
        "        refused = None",
        "    except Exception as error:",
        "        refused = [type(error).__name__, str(error)]",
        "    client.power.on()",
        "    print(json.dumps({'refused': refused, 'after': client.power.call('state')}))",
      ].join("\n"),
      { env: env() },
    );
    expect(result.code, result.stderr).toBe(0);
    const { refused, after } = JSON.parse(result.stdout);
    expect(refused[0]).toBe("DriverInvalidArgument");
    expect(refused[1]).toMatch(/INVALID_ARGUMENT: power\.on\(\) takes no arguments; got 2$/);
    expect(after).toBe("on");
  });
});

describe("dutkit's client against Jumpstarter's exporter (jmp shell --exporter-config)", () => {
  test("`dutkit j` calls shell methods; output and exit code come back", {
    timeout: 120_000,
  }, async () => {
    const [node, dutkit] = dutkitCommand();
    const j = [node, ...dutkit, "j"].map((part) => `'${part}'`).join(" ");
    // jmp shell 0.9.0 exits 0 whatever the command does: each step prints its own exit status.
    const script = [`${j} shell hello dk; echo "hello-rc=$?"`, `${j} shell fail; echo "fail-rc=$?"`].join(
      "\n",
    );
    const result = await runToEnd(
      venvBin("jmp"),
      ["shell", "--exporter-config", CONFIG, "--", "sh", "-c", script],
      { env: peerEnv(dir), timeoutMs: 110_000 },
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('"stdout":"hello dk\\n"');
    expect(result.stdout).toContain('"exitCode":3');
    expect(result.stdout).toContain('"stderr":"about to fail\\n"');
    // As Jumpstarter's own `j shell fail`: the method's status is in the output, not j's.
    expect(result.stdout).toMatch(/^hello-rc=0$/m);
    expect(result.stdout).toMatch(/^fail-rc=0$/m);
  });
});
