import { describe, expect, test } from "vitest";
import { parseRange } from "./range.ts";

describe("parseRange", () => {
  test.each([
    [undefined, 100, { kind: "full" }],
    ["bytes=0-9", 100, { kind: "partial", start: 0, end: 9 }],
    ["bytes=90-", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-10", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-500", 100, { kind: "partial", start: 0, end: 99 }],
    ["bytes=50-500", 100, { kind: "partial", start: 50, end: 99 }],
    ["BYTES = 5-5", 100, { kind: "partial", start: 5, end: 5 }],
    ["bytes=100-", 100, { kind: "unsatisfiable" }],
    ["bytes=200-300", 100, { kind: "unsatisfiable" }],
    ["bytes=-0", 100, { kind: "unsatisfiable" }],
    ["bytes=0-", 0, { kind: "unsatisfiable" }],
    ["bytes=9-0", 100, { kind: "full" }],
    ["bytes=abc", 100, { kind: "full" }],
    ["items=0-9", 100, { kind: "full" }],
    ["bytes=-", 100, { kind: "full" }],
    ["bytes=0-1,5-6", 100, { kind: "full" }],
    ["bytes=0-1,500-600", 100, { kind: "partial", start: 0, end: 1 }],
  ] as const)("%s of %i bytes", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
