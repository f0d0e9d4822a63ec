import { describe, expect, it } from "vitest";
import {
  fromWireSelector,
  joinSelectors,
  matchesSelector,
  parseSelector,
  SelectorError,
  toWireSelector,
} from "./selector.ts";

describe("parseSelector", () => {
  it("reads every operator of the Kubernetes syntax", () => {
    const parsed = parseSelector(
      "board=rpi4, site==lab,rev!=a, arch in (arm64, armv7),os notin (win),dut,!broken",
    );
    expect(parsed.requirements).toEqual([
      { key: "board", operator: "In", values: ["rpi4"] },
      { key: "site", operator: "In", values: ["lab"] },
      { key: "rev", operator: "NotIn", values: ["a"] },
      { key: "arch", operator: "In", values: ["arm64", "armv7"] },
      { key: "os", operator: "NotIn", values: ["win"] },
      { key: "dut", operator: "Exists", values: [] },
      { key: "broken", operator: "DoesNotExist", values: [] },
    ]);
    expect(parsed.text).toBe("board=rpi4,site=lab,rev!=a,arch in (arm64,armv7),os!=win,dut,!broken");
  });

  it("accepts prefixed keys and an empty selector", () => {
    expect(parseSelector("jumpstarter.dev/name=mock-board").requirements[0]?.key).toBe(
      "jumpstarter.dev/name",
    );
    expect(parseSelector("  ").requirements).toEqual([]);
  });

  it.each([
    ["board=a,board=b", "must equal both"],
    ["board=a,", "empty term"],
    ["arch in (a", "unbalanced"],
    ["arch in ()", "no values"],
    ["bad key=1", "cannot read"],
    ["k=v v", "not a valid label value"],
  ])("rejects %j naming the problem", (text, problem) => {
    expect(() => parseSelector(text)).toThrow(SelectorError);
    expect(() => parseSelector(text)).toThrow(problem);
  });

  it("carries a stable code", () => {
    expect(() => parseSelector("a in (")).toThrow(expect.objectContaining({ code: "ERR_DUTKIT_SELECTOR" }));
  });
});

describe("matchesSelector", () => {
  const labels = { board: "rpi4", site: "lab", arch: "arm64" };
  it.each([
    ["board=rpi4", true],
    ["board==rpi4,site=lab", true],
    ["board=x86", false],
    ["board!=x86", true],
    ["missing!=x", true],
    ["arch in (arm64,armv7)", true],
    ["arch notin (arm64)", false],
    ["missing notin (a)", true],
    ["site", true],
    ["missing", false],
    ["!missing", true],
    ["!site", false],
    ["", true],
  ])("%j → %s", (selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });
});

describe("wire form", () => {
  it("splits equalities into matchLabels and round-trips", () => {
    const wire = toWireSelector(parseSelector("board=rpi4,rev!=a,!broken"));
    expect(wire.matchLabels).toEqual({ board: "rpi4" });
    expect(wire.matchExpressions.map((e) => e.operator)).toEqual(["NotIn", "DoesNotExist"]);
    expect(fromWireSelector(wire)).toBe("board=rpi4,rev!=a,!broken");
  });

  it("joins repeated -l options with commas", () => {
    expect(joinSelectors(["board=a", " ", "site=b"])).toBe("board=a,site=b");
  });
});
