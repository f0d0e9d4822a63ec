// What `npm pack` makes of a checkout without dist/ (as a clean clone is): prepack builds it, and
// the package holds the compiled JavaScript, its types, and source maps that carry the sources.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../", import.meta.url));
let copy: string | undefined;
afterAll(() => (copy ? rm(copy, { recursive: true, force: true }) : undefined));

test("npm pack of a checkout without dist/ builds and ships dist/ with types and sourced maps", {
  timeout: 240_000,
}, async () => {
  copy = await mkdtemp(join(tmpdir(), "dutkit-pack-"));
  const { stdout: tracked } = await run("git", ["ls-files", "-z"], { cwd: repo, maxBuffer: 16 << 20 });
  for (const file of tracked.split("\0").filter(Boolean)) await cp(join(repo, file), join(copy, file));
  await symlink(join(repo, "node_modules"), join(copy, "node_modules"));
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json"], {
    cwd: copy,
    maxBuffer: 64 << 20,
    timeout: 220_000,
    env: { ...process.env, npm_config_loglevel: "error" },
  });
  // prepack's build prints before the JSON.
  const [pack] = JSON.parse(stdout.slice(stdout.lastIndexOf("[\n  {"))) as { files: { path: string }[] }[];
  const files = pack!.files.map((f) => f.path);
  for (const shipped of [
    "dist/src/index.js",
    "dist/src/index.d.ts",
    "dist/fixtures/vitest/index.js",
    "dist/fixtures/playwright/index.js",
    "dist/reporters/vitest.js",
    "dist/src/cli/main.js",
  ]) {
    expect(files).toContain(shipped);
  }
  expect(files.filter((f) => /\.test\.|__fixtures__/.test(f))).toEqual([]);
  const map = JSON.parse(await readFile(join(copy, "dist/src/index.js.map"), "utf8"));
  expect(map.sourcesContent?.[0]).toContain("export");
});
