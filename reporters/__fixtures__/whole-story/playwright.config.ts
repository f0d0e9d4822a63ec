import { join } from "node:path";
import { defineConfig } from "@playwright/test";

// Run by reporters/whole-story.test.ts in a child `playwright test`, after the inner vitest run:
// the dutkit reporter writes into the same lease-usage folder as vitest's, beside Playwright's
// own outputDir (which Playwright empties), and every test records a trace.
const out = process.env.DUTKIT_INNER_OUT;
if (!out) throw new Error("set DUTKIT_INNER_OUT to the folder this inner run writes to");

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [["line"], ["../../playwright.ts", { outputDir: join(out, "lease-usage"), summary: false }]],
  outputDir: join(out, "test-results"),
  use: { trace: "on" },
});
