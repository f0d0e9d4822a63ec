import { join } from "node:path";
import { defineConfig } from "@playwright/test";

// Run by reporters/playwright-run.test.ts in a child `playwright test`: one worker, tests in file
// order, the dutkit reporter writing into the outer test's temp folder. Playwright empties its own
// outputDir at the start, so the report goes next to it, not into it.
const out = process.env.DUTKIT_INNER_OUT ?? "test-results";

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [["line"], ["../../playwright.ts", { outputDir: join(out, "usage"), summary: false }]],
  outputDir: join(out, "artifacts"),
});
