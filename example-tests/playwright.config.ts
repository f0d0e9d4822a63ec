import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

// Debian's Chromium: `npx playwright install` cannot download a browser on CI machines.
const chromium = process.env.DUTKIT_CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  workers: 1,
  // Playwright empties its output folder at the start: the lease-usage reports and their history
  // live apart from it, in the folder vitest's reporter writes to as well.
  outputDir: "../test-results/playwright",
  reporter: [
    ["list"],
    ["../reporters/playwright.ts", { outputDir: "../lease-usage" }],
    // Under CI=true a skipped test that is not allowed fails the run.
    ["../scripts/skip-guard/playwright.ts", { root: fileURLToPath(new URL("..", import.meta.url)) }],
  ],
  use: {
    headless: true,
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
      ],
    },
  },
});
