import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["skips.test.ts"],
    reporters: [
      "default",
      [
        fileURLToPath(new URL("../vitest.ts", import.meta.url)),
        { allowed: { "skips.test.ts > peers > skipped on purpose": "the test says so" } },
      ],
    ],
  },
});
