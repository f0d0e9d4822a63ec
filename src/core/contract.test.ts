import { describe, expect, test } from "vitest";
import { z } from "zod";
import { checkResult, DriverResultError } from "./contract.ts";
import { DutkitError } from "./errors.ts";

const Stat = z.object({ length: z.number(), mode: z.object({ isFile: z.boolean() }) });

describe("checkResult", () => {
  test("answers the value the schema accepts", () => {
    expect(checkResult(Stat, { length: 3, mode: { isFile: true } }, "board.storage", "stat")).toEqual({
      length: 3,
      mode: { isFile: true },
    });
  });

  test("a value that does not fit is a coded error naming the driver, the method and the field", () => {
    const attempt = () => checkResult(Stat, { length: 3, mode: { isFile: "yes" } }, "board.storage", "stat");
    expect(attempt).toThrow(DriverResultError);
    expect(attempt).toThrow(DutkitError);
    expect(attempt).toThrow(
      /^board\.storage\.stat\(\): field "mode\.isFile" of the answer does not fit the driver's contract: .*boolean.*\(the answer: \{"length":3,"mode":\{"isFile":"yes"\}\}\); the driver and its client disagree/,
    );
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({
        code: "ERR_DUTKIT_PROTOCOL",
        driver: "board.storage",
        method: "stat",
        field: "mode.isFile",
      });
    }
  });

  test("a wrong value as a whole names no field; the root driver is called (root)", () => {
    expect(() => checkResult(z.string(), 42, "", "get_host")).toThrow(
      /^\(root\)\.get_host\(\): the answer does not fit/,
    );
  });

  test("a long answer is cut in the message", () => {
    const message = (() => {
      try {
        checkResult(z.number(), "x".repeat(1000), "tftp", "get_port");
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain("…");
    expect(message!.length).toBeLessThan(500);
  });
});
