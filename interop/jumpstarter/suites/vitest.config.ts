// The inner vitest of controller.test.ts: the suites in this folder, sources as `dutkit/...`,
// results as JSON in $DUTKIT_INNER_RESULTS, no lease-usage report or skip guard of the repo's.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { sourceAliases } from "../../../vitest.workspace.ts";

const outputFile = process.env.DUTKIT_INNER_RESULTS;
if (!outputFile) throw new Error("DUTKIT_INNER_RESULTS is not set: set it to an absolute file path");

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: { alias: sourceAliases },
  test: { include: ["*.suite.ts"], testTimeout: 60_000, reporters: ["default", ["json", { outputFile }]] },
});
