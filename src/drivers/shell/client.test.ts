import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../core/errors.ts";
import { exporterConfig, openBoard, type TestBoard, WIRES } from "../../testing/open-board.ts";
import { makeTempDir, touch, WAIT_FOR } from "./__fixtures__/support.ts";
import { type ShellClient, ShellClientBase, type ShellOutputChunk } from "./index.ts";

type Methods = "hello" | "args" | "fail" | "env" | "gated" | "slow" | "run";

const methods = {
  hello: "echo hello; echo warn >&2",
  args: 'printf "%s|" "$0" "$@"',
  fail: "echo oops >&2; exit 4",
  env: 'echo "$GREETING"',
  gated: `${WAIT_FOR}echo one; wait_for "$1/go"; echo two`,
  slow: { command: "sleep 100", timeout: 0.2, description: "Takes too long" },
  // Named like a client member: reachable through run() only.
  run: "echo ran",
};

describe.each(WIRES)("ShellClient (%s)", (wire) => {
  let temp: ReturnType<typeof makeTempDir>;
  let board: TestBoard;
  let shell: ShellClient<Methods>;

  beforeEach(async () => {
    temp = makeTempDir();
    board = await openBoard(exporterConfig({ shell: { type: "Shell", config: { methods } } }), wire, {
      dir: temp.dir,
    });
    shell = board.client.shell as ShellClient<Methods>;
  });

  afterEach(async () => {
    await board.close();
    temp.remove();
  });

  it("is the client the exporter's report selects", () => {
    expect(shell).toBeInstanceOf(ShellClientBase);
    expect(shell.labels["jumpstarter.dev/client"]).toBe("jumpstarter_driver_shell.client.ShellClient");
  });

  it("lists the configured methods", async () => {
    expect(await shell.methods()).toEqual(Object.keys(methods));
  });

  it("run() returns the exit code and all output", async () => {
    expect(await shell.run("hello")).toEqual({ exitCode: 0, stdout: "hello\n", stderr: "warn\n" });
    expect(await shell.run("fail")).toEqual({ exitCode: 4, stdout: "", stderr: "oops\n" });
  });

  it("run() passes arguments and env", async () => {
    expect((await shell.run("args", ["a", "b c"])).stdout).toBe("args|a|b c|");
    expect((await shell.run("env", [], { env: { GREETING: "hej" } })).stdout).toBe("hej\n");
  });

  it("run() hands output to onOutput as it arrives", async () => {
    const seen: [string, string][] = [];
    const result = await shell.run("gated", [temp.dir], {
      onOutput: (stdout, stderr) => {
        seen.push([stdout, stderr]);
        if (stdout === "one\n") touch(join(temp.dir, "go"));
      },
    });
    expect(seen).toEqual([
      ["one\n", ""],
      ["two\n", ""],
    ]);
    expect(result.exitCode).toBe(0);
  });

  it("stream() yields chunks with the exit code on the last one", async () => {
    const chunks: ShellOutputChunk[] = [];
    for await (const chunk of shell.stream("gated", [temp.dir])) {
      chunks.push(chunk);
      if (chunk.stdout === "one\n") touch(join(temp.dir, "go"));
    }
    expect(chunks).toEqual([
      { stdout: "one\n", stderr: "" },
      { stdout: "two\n", stderr: "" },
      { stdout: "", stderr: "", exitCode: 0 },
    ]);
  });

  it("has a shortcut for each configured method", async () => {
    expect(await shell.hello()).toEqual(await shell.run("hello"));
    expect((await shell.args("x", "y")).stdout).toBe("args|x|y|");
    expect(shell.hello).toBe(shell.hello);
  });

  it("keeps its own members over a method named like one", async () => {
    expect(await shell.run("run")).toEqual({ exitCode: 0, stdout: "ran\n", stderr: "" });
  });

  it("reports a timeout as exit code 199", async () => {
    const result = await shell.run("slow");
    expect(result.exitCode).toBe(199);
    expect(result.stderr).toMatch(/Timeout expired while running slow/);
  });

  it("rejects an unknown method with the driver's INVALID_ARGUMENT, naming the configured ones", async () => {
    const unknown = shell as unknown as ShellClient<"nope">;
    const error = await unknown.nope().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(
      /^shell\.call_method\(\) failed: .*configured methods are: hello, args/,
    );
  });

  it("rejects forbidden env names with INVALID_ARGUMENT", async () => {
    await expect(shell.run("env", [], { env: { LD_PRELOAD: "/evil.so" } })).rejects.toThrow(
      InvalidArgumentError,
    );
  });

  it("is not mistaken for a promise, and passes symbols and non-identifiers through", async () => {
    expect(await Promise.resolve(shell)).toBe(shell);
    expect((shell as unknown as Record<string, unknown>).toJSON).toBeUndefined();
    expect((shell as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    expect((shell as unknown as Record<string, unknown>)["not-a-method"]).toBeUndefined();
    expect(shell.path).toBe("shell");
  });
});
