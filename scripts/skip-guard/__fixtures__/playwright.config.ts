import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  testDir: ".",
  testMatch: "skips.spec.ts",
  workers: 1,
  outputDir: process.env.SKIP_GUARD_OUTPUT ?? join(tmpdir(), "dutkit-skip-guard-playwright"),
  reporter: [
    ["list"],
    [
      "../playwright.ts",
      { root: here, allowed: { "skips.spec.ts > peers > skipped on purpose": "the test says so" } },
    ],
  ],
});
