import { defineConfig } from "@playwright/test";

// Debian's Chromium: `npx playwright install` cannot download a browser on CI machines.
const chromium = process.env.DUTKIT_CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  workers: 1,
  reporter: [["list"], ["../reporters/playwright.ts", { outputDir: "../test-results/playwright-usage" }]],
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
