// Jumpstarter's own pytest suite style (JumpstarterTest) against dutkit's exporter, started the way
// a Jumpstarter user starts it against a board: `dutkit shell --exporter-config F -- pytest …`.
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { dutkitCommand, peerEnv, REPO, runToEnd, scratch, venvBin } from "./helpers/peer.ts";

let dir: string;
let removeDir: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove: removeDir } = await scratch("pytest"));
});
afterAll(() => removeDir?.());

test("a JumpstarterTest suite passes inside dutkit shell --exporter-config", {
  timeout: 150_000,
}, async () => {
  const suite = join(REPO, "interop/jumpstarter/pytest");
  const [node, args] = dutkitCommand(
    "shell",
    "--exporter-config",
    join(suite, "exporter.yaml"),
    "--",
    venvBin("pytest"),
    "-q",
    "-p",
    "no:cacheprovider",
    "-o",
    "addopts=",
    suite,
  );
  const result = await runToEnd(node, args, { env: peerEnv(dir), timeoutMs: 140_000 });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.code, output).toBe(0);
  expect(output).toMatch(/^7 passed\b/m);
});
