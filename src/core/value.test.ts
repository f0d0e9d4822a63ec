import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "./errors.ts";
import { resultToWire, toWire } from "./value.ts";

describe("toWire", () => {
  test("passes JSON values through as a copy", () => {
    const value = { a: [1, 2.5, "x", null, true], b: { c: "ü" } };
    const copy = toWire(value, "arg");
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
  });

  test.each([
    ["undefined", { a: undefined }, "arg.a is undefined"],
    ["NaN", [1, Number.NaN], "arg[1] is NaN"],
    ["Infinity", Number.POSITIVE_INFINITY, "arg is Infinity"],
    ["bytes", { data: new Uint8Array(2) }, "arg.data is binary data"],
    ["a Date", new Date(0), "arg is a Date"],
    ["a function", () => 1, "arg is function"],
    ["a bigint", 1n, "arg is bigint"],
  ])("rejects %s, naming where it is", (_, value, message) => {
    expect(() => toWire(value, "arg")).toThrow(InvalidArgumentError);
    expect(() => toWire(value, "arg")).toThrow(message);
  });

  test("binary data points to byte streams", () => {
    expect(() => toWire(Buffer.from("x"), "arg")).toThrow(/byte-stream method/);
  });

  test("a void result travels as null", () => {
    expect(resultToWire(undefined, "result")).toBeNull();
  });
});
