import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FailedPreconditionError, InvalidArgumentError } from "../../core/errors.ts";
import { findDriverType } from "../../core/registry.ts";
import { makeTempDir, processIsGone, touch, WAIT_FOR } from "./__fixtures__/support.ts";
import { Shell, ShellConfig, type ShellOutputItem, TIMEOUT_EXIT_CODE } from "./index.ts";

let temp: ReturnType<typeof makeTempDir>;
let driver: Shell | undefined;

beforeEach(() => {
  temp = makeTempDir();
});

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  temp.remove();
});

function shell(config: Record<string, unknown>): Shell {
  driver = new Shell(ShellConfig.parse(config));
  return driver;
}

/** Runs a call to its end; `onItem` sees each item as it arrives. */
async function collect(
  items: AsyncIterable<ShellOutputItem>,
  onItem: (item: ShellOutputItem) => void = () => {},
): Promise<ShellOutputItem[]> {
  const all: ShellOutputItem[] = [];
  for await (const item of items) {
    all.push(item);
    onItem(item);
  }
  return all;
}

const stdoutOf = (items: ShellOutputItem[]) => items.map(([stdout]) => stdout).join("");

describe("Shell driver", () => {
  it("lists the configured methods", () => {
    expect(shell({ methods: { hello: "echo hi", bye: { command: "echo bye" } } }).get_methods()).toEqual([
      "hello",
      "bye",
    ]);
  });

  it("streams stdout and stderr as they arrive, in order, and ends with the exit code", async () => {
    const script = `${WAIT_FOR}echo out1; wait_for "$1/a"; echo err1 >&2; wait_for "$1/b"; echo out2; exit 3`;
    const items = await collect(
      shell({ methods: { steps: script } }).call_method("steps", {}, temp.dir),
      ([o, e]) => {
        // Each gate opens only once the previous output has reached us, so buffering would hang.
        if (o === "out1\n") touch(join(temp.dir, "a"));
        if (e === "err1\n") touch(join(temp.dir, "b"));
      },
    );
    expect(items).toEqual([
      ["out1\n", "", null],
      ["", "err1\n", null],
      ["out2\n", "", null],
      ["", "", 3],
    ]);
  });

  it("reports the script's exit code", async () => {
    const driver = shell({ methods: { ok: "true", fail: "exit 7" } });
    expect((await collect(driver.call_method("ok", {}))).at(-1)).toEqual(["", "", 0]);
    expect((await collect(driver.call_method("fail", {}))).at(-1)).toEqual(["", "", 7]);
  });

  it("passes the method name as $0 and the arguments as $1…", async () => {
    const items = await collect(
      shell({ methods: { show: 'printf "%s|" "$0" "$#" "$@"' } }).call_method("show", {}, "a b", "", "c"),
    );
    expect(stdoutOf(items)).toBe("show|3|a b||c|");
  });

  it("runs the configured shell as shell + [script, method, ...args]", async () => {
    const items = await collect(
      shell({ methods: { argv: "ignored" }, shell: ["printf", "%s,"] }).call_method("argv", {}, "x"),
    );
    expect(stdoutOf(items)).toBe("ignored,argv,x,");
  });

  it("adds the call's env to the exporter's environment", async () => {
    process.env.DUTKIT_SHELL_TEST_EXPORTER = "from-exporter";
    try {
      const driver = shell({ methods: { env: 'echo "$GREETING $DUTKIT_SHELL_TEST_EXPORTER"' } });
      const items = await collect(driver.call_method("env", { GREETING: "hi" }));
      expect(stdoutOf(items)).toBe("hi from-exporter\n");
    } finally {
      delete process.env.DUTKIT_SHELL_TEST_EXPORTER;
    }
  });

  it("accepts a null env, as a client without variables may send", async () => {
    expect(await collect(shell({ methods: { ok: "echo ok" } }).call_method("ok", null))).toEqual([
      ["ok\n", "", null],
      ["", "", 0],
    ]);
  });

  it.each(["LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "PYTHONPATH", "BASH_ENV", "KUBECONFIG", "HOME"])(
    "refuses to set %s",
    async (name) => {
      const call = shell({ methods: { ok: "true" } }).call_method("ok", { [name]: "x" });
      await expect(collect(call)).rejects.toThrow(InvalidArgumentError);
      await expect(collect(driver!.call_method("ok", { [name]: "x" }))).rejects.toThrow(
        `environment variable ${name} may not be set`,
      );
    },
  );

  it.each(["LD_AUDIT", "LD_", "BASH_FUNC_greet"])("refuses %s by its prefix", async (name) => {
    await expect(
      collect(shell({ methods: { ok: "true" } }).call_method("ok", { [name]: "x" })),
    ).rejects.toThrow(InvalidArgumentError);
  });

  it.each(["1ABC", "A-B", "BASH_FUNC_x%%", ""])("refuses the variable name %j", async (name) => {
    await expect(
      collect(shell({ methods: { ok: "true" } }).call_method("ok", { [name]: "x" })),
    ).rejects.toThrow(/environment variable name .* is invalid/);
  });

  it("refuses env that is not an object of strings", async () => {
    const driver = shell({ methods: { ok: "true" } });
    await expect(collect(driver.call_method("ok", ["A=1"]))).rejects.toThrow(InvalidArgumentError);
    await expect(collect(driver.call_method("ok", { A: 1 }))).rejects.toThrow("pass a string");
  });

  it.each([[1], [true], [null], [["a"]], [{ a: "b" }]])("refuses the argument %j", async (arg) => {
    await expect(
      collect(shell({ methods: { ok: "true" } }).call_method("ok", {}, "fine", arg)),
    ).rejects.toThrow(/argument 2 is .*; script arguments must be strings/);
  });

  it("refuses NUL characters, which exec cannot pass", async () => {
    const driver = shell({ methods: { ok: "true" } });
    await expect(collect(driver.call_method("ok", {}, "a\0b"))).rejects.toThrow(InvalidArgumentError);
    await expect(collect(driver.call_method("ok", { A: "a\0b" }))).rejects.toThrow("NUL");
  });

  it("names the configured methods when asked for an unknown one", async () => {
    const call = shell({ methods: { hello: "true", bye: "true" } }).call_method("nope", {});
    const error = await collect(call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/unknown method "nope"; the configured methods are: hello, bye/);
  });

  it("keeps multi-byte characters whole when a read ends inside one", async () => {
    // The euro sign is e2 82 ac; the script stops after its first two bytes until we have read them.
    const script = `${WAIT_FOR}printf 'x\\xe2\\x82'; wait_for "$1/go"; printf '\\xac\\n'`;
    const items = await collect(
      shell({ methods: { euro: script } }).call_method("euro", {}, temp.dir),
      ([o]) => {
        if (o === "x") touch(join(temp.dir, "go"));
      },
    );
    expect(items).toEqual([
      ["x", "", null],
      ["€\n", "", null],
      ["", "", 0],
    ]);
  });

  it("runs scripts in the configured cwd, relative to the config file's directory", async () => {
    mkdirSync(join(temp.dir, "work"));
    const spec = findDriverType("Shell")!;
    driver = (await spec.create(spec.config.parse({ methods: { where: "pwd" }, cwd: "work" }), {
      init: {},
      configDir: temp.dir,
    })) as Shell;
    const items = await collect(driver.call_method("where", {}));
    expect(realpathSync(stdoutOf(items).trim())).toBe(realpathSync(join(temp.dir, "work")));
  });

  it("refuses a cwd that is not a directory", () => {
    const spec = findDriverType("Shell")!;
    const config = spec.config.parse({ methods: { where: "pwd" }, cwd: "missing" });
    expect(() => spec.create(config, { init: {}, configDir: temp.dir })).toThrow(
      /Shell cwd "missing" .* is not a directory/,
    );
  });

  it("reports configured descriptions as method descriptions", () => {
    driver = new Shell(
      ShellConfig.parse({
        methods: { flash: { command: "true", description: "Flash the board" }, plain: "true" },
      }),
      { init: { methodsDescription: { flash: "overridden", plain: "Plain one" } } },
    );
    expect(driver.methodsDescription).toEqual({ flash: "Flash the board", plain: "Plain one" });
  });

  it("on timeout kills the whole process group and reports exit code 199", async () => {
    const driver = shell({ methods: { hang: { command: "sleep 100 & echo $!; wait", timeout: 0.3 } } });
    const items = await collect(driver.call_method("hang", {}));
    const sleepPid = Number(stdoutOf(items).trim());
    expect(sleepPid).toBeGreaterThan(0);
    const last = items.at(-1)!;
    expect(last[0]).toBe("");
    expect(last[1]).toMatch(/^\nTimeout expired while running hang: it ran longer than 0.3 s/);
    expect(last[2]).toBe(TIMEOUT_EXIT_CODE);
    expect(processIsGone(sleepPid)).toBe(true);
  });

  it("close() kills the process groups of calls still running", async () => {
    const driver = shell({ methods: { serve: "sleep 100 & echo $!; wait" } });
    const call = driver.call_method("serve", {});
    const first = await call.next();
    const sleepPid = Number((first.value as ShellOutputItem)[0].trim());
    expect(processIsGone(sleepPid)).toBe(false);
    await driver.close();
    expect(processIsGone(sleepPid)).toBe(true);
    // The call ends with the status of the killed script: minus SIGTERM's number, as Python reports it.
    expect((await collect(call)).at(-1)).toEqual(["", "", -15]);
  });

  it("close() kills background processes a finished call left running", async () => {
    const driver = shell({ methods: { daemon: "sleep 100 >/dev/null 2>&1 & echo $!" } });
    const items = await collect(driver.call_method("daemon", {}));
    expect(items.at(-1)).toEqual(["", "", 0]);
    const sleepPid = Number(stdoutOf(items).trim());
    expect(processIsGone(sleepPid)).toBe(false);
    await driver.close();
    expect(processIsGone(sleepPid)).toBe(true);
  });

  it("kills the group when the caller stops reading", async () => {
    const driver = shell({ methods: { serve: "sleep 100 & echo $!; wait" } });
    let sleepPid = 0;
    for await (const [stdout] of driver.call_method("serve", {})) {
      sleepPid = Number(stdout.trim());
      break;
    }
    await vi.waitFor(() => expect(processIsGone(sleepPid)).toBe(true), { timeout: 4000, interval: 50 });
  });

  it("kills a script that was still starting when close() ran", async () => {
    const driver = shell({ methods: { serve: "sleep 100" } });
    const call = driver.call_method("serve", {});
    const first = call.next();
    await driver.close();
    await expect(first).rejects.toThrow(FailedPreconditionError);
  });

  it("refuses calls once closed", async () => {
    const driver = shell({ methods: { ok: "true" } });
    await driver.close();
    await expect(collect(driver.call_method("ok", {}))).rejects.toThrow(FailedPreconditionError);
  });
});
