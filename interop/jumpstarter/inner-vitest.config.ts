// The vitest config of a run that an interop test starts inside `jmp shell`: the repo's projects,
// results as JSON in $DUTKIT_INNER_RESULTS (the test reads which tests passed and skipped), no
// lease-usage report and no skip guard (the skips of dutkit-only methods are the point).
import { isAbsolute } from "node:path";
import { defineConfig } from "vitest/config";
import { projects } from "../../vitest.workspace.ts";

const outputFile = process.env.DUTKIT_INNER_RESULTS;
if (!outputFile || !isAbsolute(outputFile)) {
  throw new Error(`DUTKIT_INNER_RESULTS is ${JSON.stringify(outputFile)}: set it to an absolute file path`);
}

export default defineConfig({
  test: { projects, reporters: ["default", ["json", { outputFile }]] },
});
