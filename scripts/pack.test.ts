// What `npm pack` makes of a checkout without dist/ (as a clean clone is): prepack builds it, and
// the package holds the compiled JavaScript, its types, source maps that carry the sources, and
// the native TFTP read loop prebuilt for this machine. No install script: installing the tarball
// with scripts enabled and no compiler on PATH gives a dutkit that sends files natively.
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { platformTag } from "../src/tftp/native.ts";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../", import.meta.url));
const binary = `prebuilds/${platformTag()}/dutkit_tftp.node`;
let work: string;
let files: string[];
let tarball: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dutkit-pack-"));
  const copy = join(work, "checkout");
  const { stdout: tracked } = await run("git", ["ls-files", "-z"], { cwd: repo, maxBuffer: 16 << 20 });
  for (const file of tracked.split("\0").filter(Boolean)) await cp(join(repo, file), join(copy, file));
  await symlink(join(repo, "node_modules"), join(copy, "node_modules"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: copy,
    maxBuffer: 64 << 20,
    timeout: 220_000,
    env: { ...process.env, npm_config_loglevel: "error" },
  });
  // prepack's build prints before the JSON.
  const [pack] = JSON.parse(stdout.slice(stdout.lastIndexOf("[\n  {"))) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = pack!.files.map((f) => f.path);
  tarball = join(work, pack!.filename);
}, 240_000);
afterAll(() => (work ? rm(work, { recursive: true, force: true }) : undefined));

test("npm pack of a checkout without dist/ builds and ships dist/ with types and sourced maps", async () => {
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
  const map = JSON.parse(await readFile(join(work, "checkout/dist/src/index.js.map"), "utf8"));
  expect(map.sourcesContent?.[0]).toContain("export");
});

test("the package ships the prebuilt read loop, no sources to compile and no install script", async () => {
  expect(files).toContain(binary);
  expect(files.filter((f) => /binding\.gyp$|\.[ch]$|^scripts\//.test(f))).toEqual([]);
  const manifest = JSON.parse(await readFile(join(work, "checkout/package.json"), "utf8"));
  expect(Object.keys(manifest.scripts).filter((name) => /^(pre|post)?install$/.test(name))).toEqual([]);
});

/** The production dependencies' folders in the repository's node_modules, top level only. */
async function productionDependencies(): Promise<string[]> {
  const { stdout } = await run("npm", ["ls", "--omit=dev", "--omit=peer", "--all", "--parseable"], {
    cwd: repo,
    maxBuffer: 16 << 20,
  });
  const top = join(repo, "node_modules/");
  return [
    ...new Set(
      stdout
        .split("\n")
        .filter((path) => path.startsWith(top))
        .map((path) => path.slice(top.length))
        .filter((path) => !path.includes("/node_modules/")),
    ),
  ];
}

test("installing the tarball with scripts on and no compiler on PATH loads the native engine", async () => {
  const consumer = join(work, "consumer");
  // Dependencies are copied from the repository so that npm install --offline needs no network.
  const dependencies = await productionDependencies();
  for (const dependency of dependencies) {
    await mkdir(dirname(join(consumer, "node_modules", dependency)), { recursive: true });
    await cp(join(repo, "node_modules", dependency), join(consumer, "node_modules", dependency), {
      recursive: true,
    });
  }
  // With their bin links, or npm reinstalls them (and needs the registry for that).
  await mkdir(join(consumer, "node_modules/.bin"));
  for (const name of await readdir(join(repo, "node_modules/.bin"))) {
    const target = await readlink(join(repo, "node_modules/.bin", name));
    if (dependencies.some((dependency) => target.startsWith(`../${dependency}/`))) {
      await symlink(target, join(consumer, "node_modules/.bin", name));
    }
  }
  await writeFile(join(consumer, "package.json"), '{ "name": "consumer", "private": true }\n');
  // PATH holds node and sh only: no cc, gcc, make, python3 or node-gyp to fall back on.
  const bin = join(work, "bin");
  await mkdir(bin);
  await mkdir(join(work, "home"));
  await symlink(process.execPath, join(bin, "node"));
  const { stdout: sh } = await run("sh", ["-c", "command -v sh"]);
  await symlink(sh.trim(), join(bin, "sh"));
  const env = {
    HOME: join(work, "home"),
    PATH: bin,
    npm_config_cache: join(work, "npm-cache"),
    npm_config_update_notifier: "false",
  };
  const { stdout: found } = await run("sh", ["-c", "command -v cc gcc make python3 node-gyp || true"], {
    env,
  });
  expect(found).toBe("");
  const npm = join(dirname(process.execPath), "../lib/node_modules/npm/bin/npm-cli.js");
  const install = await run(
    process.execPath,
    [npm, "install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts=false", tarball],
    { cwd: consumer, env, timeout: 120_000 },
  );
  expect(`${install.stdout}${install.stderr}`).not.toMatch(/dutkit@[^\s]+ \((pre|post)?install/);
  const root = join(work, "served");
  await mkdir(root);
  await writeFile(join(root, "boot.bin"), Buffer.alloc(100_000, 7));
  const args = ["tftp", "serve", "--root", root, "--host", "127.0.0.1", "--port", "0", "-v"];
  const server = spawn(join(consumer, "node_modules/.bin/dutkit"), args, { env });
  server.stdout.setEncoding("utf8");
  server.stderr.setEncoding("utf8");
  let output = "";
  server.stdout.on("data", (text: string) => (output += text));
  server.stderr.on("data", (text: string) => (output += text));
  const waitFor = (pattern: RegExp) =>
    expect.poll(() => pattern.exec(output), { timeout: 20_000, interval: 100 }).not.toBeNull();
  try {
    await waitFor(/listening on 127\.0\.0\.1:\d+ /);
    expect(output).toMatch(/read-only, native read loop\); Ctrl-C stops it\n/);
    const port = /listening on 127\.0\.0\.1:(\d+) /.exec(output)![1]!;
    const local = join(work, "boot.out");
    await run("busybox", ["tftp", "-g", "-r", "boot.bin", "-l", local, "127.0.0.1", port], {
      timeout: 30_000,
    });
    expect((await readFile(local)).equals(Buffer.alloc(100_000, 7))).toBe(true);
    await waitFor(/^read .* completed .* native$/m);
  } finally {
    server.kill("SIGTERM");
  }
}, 180_000);
