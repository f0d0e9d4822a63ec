#!/usr/bin/env node
// Builds the TFTP server's native read loop (binding.gyp -> build/Release/dutkit_tftp.node)
// with node-gyp and copies it to prebuilds/<platform>-<arch>-<libc>/, the folder the package
// ships and src/tftp/native.ts loads on a matching machine. Users never run this: the package
// has no install script. Without the loop the server sends every transfer from JavaScript.
// Usage: node scripts/build-native.mjs [--required]
//   --required  fail when it cannot be built (packing and the test run must include it)
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const required = process.argv.includes("--required");
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function giveUp(why) {
  const message = `TFTP native read loop not built: ${why}`;
  if (required) {
    console.error(
      `${message}\nOn Linux, install a C compiler, make and python3 (Debian: apt-get install build-essential python3).`,
    );
    process.exit(1);
  }
  console.warn(`${message}; the TFTP server uses its JavaScript path.`);
  process.exit(0);
}

/** This machine's prebuilds/ folder, as platformTag() in src/tftp/native.ts names it. */
function platformTag() {
  const { glibcVersionRuntime } = process.report.getReport().header;
  return `${platform()}-${arch()}-${glibcVersionRuntime ? "glibc" : "musl"}`;
}

if (platform() !== "linux") giveUp(`it is written for Linux, this is ${platform()}`);
// npm run puts its own node-gyp on PATH and names it in npm_config_node_gyp.
const gyp = process.env.npm_config_node_gyp;
const [command, args] = gyp ? [process.execPath, [gyp]] : ["node-gyp", []];
const result = spawnSync(command, [...args, "rebuild", "--loglevel=warn"], { cwd: root, stdio: "inherit" });
if (result.error)
  giveUp(`cannot run node-gyp (${result.error.message}); run it through npm run build:native`);
if (result.status !== 0) giveUp(`node-gyp exited with ${result.status ?? result.signal}`);
const prebuilt = join(root, "prebuilds", platformTag());
mkdirSync(prebuilt, { recursive: true });
copyFileSync(join(root, "build/Release/dutkit_tftp.node"), join(prebuilt, "dutkit_tftp.node"));
console.log(`TFTP native read loop built: ${join(prebuilt, "dutkit_tftp.node")}`);
