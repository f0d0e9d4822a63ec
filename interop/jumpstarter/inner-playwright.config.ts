// The Playwright config of a run that an interop test starts inside `jmp shell`: the example
// config's browser settings, results as JSON in $DUTKIT_INNER_RESULTS, artifacts in
// $DUTKIT_INNER_OUTPUT, and no lease-usage report or skip guard of the repo's.
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import examples from "../../example-tests/playwright.config.ts";

const results = process.env.DUTKIT_INNER_RESULTS;
const output = process.env.DUTKIT_INNER_OUTPUT;
for (const [name, value] of [
  ["DUTKIT_INNER_RESULTS", results],
  ["DUTKIT_INNER_OUTPUT", output],
]) {
  if (!value || !isAbsolute(value))
    throw new Error(`${name} is ${JSON.stringify(value)}: set it to an absolute path`);
}

export default defineConfig({
  ...examples,
  testDir: fileURLToPath(new URL("../../example-tests", import.meta.url)),
  outputDir: output,
  reporter: [["list"], ["json", { outputFile: results }]],
});
