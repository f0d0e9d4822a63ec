import { describe, expect, it } from "vitest";
import { callRows, mergeCallStats, totalCalls } from "./call-stats.ts";

describe("call stats", () => {
  it("sums stats, keeping the last lastError", () => {
    const merged = mergeCallStats(
      { power: { on: { calls: 2, errors: 1, lastError: "first" } } },
      { power: { on: { calls: 1, errors: 1, lastError: "second" }, off: { calls: 1, errors: 0 } } },
      { "": { ping: { calls: 4, errors: 0 } } },
    );
    expect(merged).toEqual({
      power: { on: { calls: 3, errors: 2, lastError: "second" }, off: { calls: 1, errors: 0 } },
      "": { ping: { calls: 4, errors: 0 } },
    });
    expect(totalCalls(merged)).toEqual({ calls: 8, errors: 2 });
  });

  it("lists rows sorted by driver and method, showing the root driver as (root)", () => {
    const rows = callRows({ power: { on: { calls: 1, errors: 0 } }, "": { b: { calls: 1, errors: 0 } } });
    expect(rows.map((r) => `${r.driver}.${r.method}`)).toEqual(["(root).b", "power.on"]);
  });
});
