// Run by skip-guard.test.ts in an inner vitest: one test runs, one skip is allowed, one is not.
import { describe, expect, test } from "vitest";

test("runs", () => {
  expect(1 + 1).toBe(2);
});

describe("peers", () => {
  test.skipIf(true)("needs a peer that is missing", () => {});
  test.skip("skipped on purpose", () => {});
});
