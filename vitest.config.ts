import { defineConfig } from "vitest/config";
import { projects } from "./vitest.workspace.ts";

export default defineConfig({
  test: {
    projects,
    // The skip guard acts under CI=true only: a skipped test that is not allowed fails the run.
    reporters: [
      "default",
      ["./reporters/vitest.ts", { outputDir: "lease-usage" }],
      "./scripts/skip-guard/vitest.ts",
    ],
  },
});
