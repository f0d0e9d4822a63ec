#!/usr/bin/env node
// Builds the TFTP server's native read loop (binding.gyp -> build/Release/dutkit_tftp.node)
// with node-gyp. Without it the server sends every transfer from JavaScript, which is correct
// but slower with large blocks. Usage: node scripts/build-native.mjs [--required]
//   --required  fail when it cannot be built (the test run must cover the native path)
// It is also the package's install script, so that installing dutkit on a machine without a
// compiler warns instead of failing (npm would otherwise run node-gyp for binding.gyp itself).
import { spawnSync } from "node:child_process";
import { platform } from "node:os";

const required = process.argv.includes("--required");

function giveUp(why) {
  const message = `TFTP native read loop not built: ${why}`;
  if (required) {
    console.error(
      `${message}\nInstall a C compiler, make and python3 (Debian: apt-get install build-essential python3).`,
    );
    process.exit(1);
  }
  console.warn(`${message}; the TFTP server uses its JavaScript path.`);
  process.exit(0);
}

if (platform() !== "linux") giveUp(`it is written for Linux, this is ${platform()}`);
// npm run puts its own node-gyp on PATH and names it in npm_config_node_gyp.
const gyp = process.env.npm_config_node_gyp;
const [command, args] = gyp ? [process.execPath, [gyp]] : ["node-gyp", []];
const result = spawnSync(command, [...args, "rebuild", "--loglevel=warn"], { stdio: "inherit" });
if (result.error)
  giveUp(`cannot run node-gyp (${result.error.message}); run it through npm run build:native`);
if (result.status !== 0) giveUp(`node-gyp exited with ${result.status ?? result.signal}`);
