import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Run by reporters/whole-story.test.ts in a child `vitest run`. The dutkit reporter and
// Playwright's (playwright.config.ts) share one lease-usage folder; vitest's own JSON results
// are what the report's counts are checked against.
const out = process.env.DUTKIT_INNER_OUT;
if (!out) throw new Error("set DUTKIT_INNER_OUT to the folder this inner run writes to");

export default defineConfig({
  test: {
    include: ["*.test.ts"],
    reporters: [
      "default",
      [fileURLToPath(new URL("../../vitest.ts", import.meta.url)), { outputDir: join(out, "lease-usage") }],
      ["json", { outputFile: join(out, "vitest-results.json") }],
    ],
  },
});
