// Run by skip-guard.test.ts in an inner Playwright run: one test runs, one skip is allowed, one is not.
import { expect, test } from "@playwright/test";

test("runs", () => {
  expect(1 + 1).toBe(2);
});

test.describe("peers", () => {
  test("needs a peer that is missing", () => {
    test.skip(true, "peer not installed");
  });
  test.skip("skipped on purpose", () => {});
});
