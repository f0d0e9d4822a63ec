import { describe, expect, test } from "vitest";
import { checkArguments } from "../../core/arguments.ts";
import { UbootConsole } from "./index.ts";

// The session checks every call's arguments against the method table before the driver runs:
// what the client sends for each RunCommandOptions value must pass that check.
describe.each(["run_command", "run_command_checked"])("%s arguments", (method) => {
  const args = UbootConsole.methods[method]!.args;

  test.each<[string, unknown]>([
    ["left out", null],
    ["by name", ["unknown_command"]],
    ["none (true)", true],
    ["all (false)", false],
  ])("ignoreBadPatterns %s is accepted", (_, ignore) => {
    expect(() => checkArguments(args, ["version", null, ignore], `uboot.${method}()`)).not.toThrow();
  });

  test("anything else is refused before the driver runs", () => {
    expect(() => checkArguments(args, ["version", null, 3], `uboot.${method}()`)).toThrow(/argument/);
  });
});
