import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkArguments } from "./arguments.ts";
import { InvalidArgumentError } from "./errors.ts";

const commandArgs = z.tuple([z.string().describe("cmd"), z.number().nullish().describe("timeout")]);
const variadic = z.tuple([z.string().describe("method")]).rest(z.string().describe("args"));

describe("checkArguments", () => {
  it("a method that declares no arguments takes none", () => {
    expect(() => checkArguments(undefined, [], "power.on()")).not.toThrow();
    expect(() => checkArguments(undefined, [1, 2], "power.on()")).toThrow(
      new InvalidArgumentError("power.on() takes no arguments; got 2"),
    );
  });

  it("counts required and optional arguments, and names them", () => {
    expect(() => checkArguments(commandArgs, ["version"], "u.run()")).not.toThrow();
    expect(() => checkArguments(commandArgs, ["version", null], "u.run()")).not.toThrow();
    expect(() => checkArguments(commandArgs, [], "u.run()")).toThrow(
      "u.run() takes 1 to 2 arguments (cmd, timeout?); got 0",
    );
    expect(() => checkArguments(commandArgs, ["a", 1, 2], "u.run()")).toThrow(
      "u.run() takes 1 to 2 arguments (cmd, timeout?); got 3",
    );
    expect(() => checkArguments(z.tuple([z.string().describe("name")]), [], "u.get()")).toThrow(
      "u.get() takes 1 argument (name); got 0",
    );
  });

  it("names the argument whose type is wrong", () => {
    expect(() => checkArguments(commandArgs, [42], "u.run()")).toThrow(
      /^u\.run\(\) argument 0 \(cmd\): Invalid input: expected string, received number$/,
    );
    expect(() => checkArguments(commandArgs, ["a", "soon"], "u.run()")).toThrow(/argument 1 \(timeout\)/);
  });

  it("takes any number of arguments after the fixed ones of a variadic method", () => {
    expect(() => checkArguments(variadic, ["hello", "a", "b", "c"], "sh.call()")).not.toThrow();
    expect(() => checkArguments(variadic, [], "sh.call()")).toThrow(
      "sh.call() takes at least 1 argument (method, ...args); got 0",
    );
    expect(() => checkArguments(variadic, ["hello", "a", 3], "sh.call()")).toThrow(/argument 2: /);
  });

  it("fails with the INVALID_ARGUMENT status", () => {
    expect(() => checkArguments(undefined, [1], "x()")).toThrow(
      expect.objectContaining({ status: "INVALID_ARGUMENT", code: "ERR_DUTKIT_INVALID_ARGUMENT" }),
    );
  });
});
