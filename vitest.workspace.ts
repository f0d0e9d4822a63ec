// The list of vitest projects. Vitest 4 no longer reads a workspace file by itself:
// vitest.config.ts imports this list and passes it to `test.projects`.
import { fileURLToPath } from "node:url";
import type { TestProjectInlineConfiguration } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** `dutkit/...` resolves to the sources, so tests need no build first. */
export const sourceAliases = [
  { find: /^dutkit\/vitest\/global-setup$/, replacement: here("./fixtures/vitest/global-setup.ts") },
  { find: /^dutkit\/vitest$/, replacement: here("./fixtures/vitest/index.ts") },
  { find: /^dutkit\/reporters\/vitest$/, replacement: here("./reporters/vitest.ts") },
  { find: /^dutkit\/lease$/, replacement: here("./src/lease/index.ts") },
  { find: /^dutkit\/controller$/, replacement: here("./src/controller/index.ts") },
  { find: /^dutkit\/tftp$/, replacement: here("./src/tftp/index.ts") },
  { find: /^dutkit\/http$/, replacement: here("./src/http/index.ts") },
  { find: /^dutkit\/lease-usage$/, replacement: here("./src/usage/index.ts") },
  { find: /^dutkit$/, replacement: here("./src/index.ts") },
];

export const projects: TestProjectInlineConfiguration[] = [
  {
    resolve: { alias: sourceAliases },
    test: {
      name: "unit",
      include: [
        "src/**/*.test.ts",
        "fixtures/**/*.test.ts",
        "reporters/**/*.test.ts",
        "scripts/**/*.test.ts",
        "bench/**/*.test.ts",
      ],
      // __fixtures__ holds suites that tests run in an inner vitest, some failing on purpose.
      exclude: ["**/node_modules/**", "**/__fixtures__/**"],
      typecheck: { enabled: true, include: ["src/**/*.test-d.ts", "fixtures/**/*.test-d.ts"] },
    },
  },
  {
    resolve: { alias: sourceAliases },
    test: {
      name: "examples",
      include: ["example-tests/**/*.test.ts"],
      exclude: ["example-tests/shared-board/**"],
      testTimeout: 60_000,
    },
  },
  {
    resolve: { alias: sourceAliases },
    test: {
      name: "examples-shared",
      include: ["example-tests/shared-board/**/*.test.ts"],
      globalSetup: [here("./example-tests/shared-board/global-setup.ts")],
      testTimeout: 60_000,
    },
  },
  // Against the real Jumpstarter (pinned in interop/jumpstarter/, installed by
  // scripts/ensure-jumpstarter.mjs): its CLIs, client and exporter as peers of ours.
  {
    resolve: { alias: sourceAliases },
    test: {
      name: "interop",
      include: ["interop/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  },
  // The TFTP suite runs once per engine that sends files (conformance/tftp/helpers/fixtures.ts).
  conformanceProject("conformance", "native", 0),
  conformanceProject("conformance-js", "javascript", 1),
];

function conformanceProject(name: string, engine: "native" | "javascript", groupOrder: number) {
  return {
    resolve: { alias: sourceAliases },
    test: {
      name,
      include: ["conformance/tftp/**/*.test.ts"],
      env: { DUTKIT_TFTP_ENGINE: engine },
      testTimeout: 60_000,
      hookTimeout: 30_000,
      // Real client binaries and the timing-sensitive lossy tests: one file at a time, and the
      // second engine's run after everything else (groupOrder), not beside the first one.
      fileParallelism: false,
      sequence: { groupOrder },
    },
  };
}
