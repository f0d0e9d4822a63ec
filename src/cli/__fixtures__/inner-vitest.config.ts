// The repo's vitest config for a vitest run started by a test: the same projects, but the
// lease-usage reporter writes to $DUTKIT_INNER_OUTPUT_DIR, so the inner run neither clears the
// outer run's console transcripts nor rewrites its lease-usage-* in the repo's lease-usage/.
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { projects } from "../../../vitest.workspace.ts";
import { INNER_OUTPUT_DIR_ENV } from "./inner-vitest.ts";

const outputDir = process.env[INNER_OUTPUT_DIR_ENV];
if (!outputDir || !isAbsolute(outputDir)) {
  throw new Error(
    `${INNER_OUTPUT_DIR_ENV} is ${JSON.stringify(outputDir)}: set it to an absolute directory of the test's own, where this inner run writes its lease-usage report`,
  );
}

export default defineConfig({
  test: {
    projects,
    reporters: [
      "default",
      [fileURLToPath(new URL("../../../reporters/vitest.ts", import.meta.url)), { outputDir }],
    ],
  },
});
