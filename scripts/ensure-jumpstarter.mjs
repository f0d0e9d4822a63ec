#!/usr/bin/env node
// Installs the real Jumpstarter (pinned in interop/jumpstarter/requirements.txt) into a Python
// virtual environment in .venv-jumpstarter/ (ignored by git), once: a later run whose pins are
// unchanged reuses it. The interop tests use it as their peer; it is never a dependency of dutkit.
// Fails loudly when it cannot install: the interop tests must not skip for want of their peer.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(repo, "interop/jumpstarter/requirements.txt");
const venv = process.env.DUTKIT_JUMPSTARTER_VENV ?? join(repo, ".venv-jumpstarter");
const stamp = join(venv, ".dutkit-requirements");
const python = join(venv, "bin/python");
const INSTALL_TIMEOUT_MS = 20 * 60_000;

function fail(message) {
  console.error(`ensure-jumpstarter: ${message}`);
  process.exit(1);
}

function run(command, args, timeout) {
  const result = spawnSync(command, args, { stdio: "inherit", timeout });
  if (result.error?.code === "ETIMEDOUT" || result.signal === "SIGTERM") {
    fail(`\`${command} ${args.join(" ")}\` did not finish within ${timeout / 60_000} min`);
  }
  if (result.error) fail(`cannot run ${command}: ${result.error.message}`);
  return result.status === 0;
}

const wanted = readFileSync(requirements, "utf8");
if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) {
  const check = spawnSync(python, ["-c", "import jumpstarter, jumpstarter_testing"], { timeout: 60_000 });
  if (check.status === 0) process.exit(0);
}

const base = process.env.DUTKIT_PYTHON ?? "python3";
const version = spawnSync(base, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
  encoding: "utf8",
  timeout: 30_000,
});
const [major, minor] = (version.stdout ?? "").trim().split(".").map(Number);
if (version.status !== 0 || !(major === 3 && minor >= 11)) {
  fail(
    `Jumpstarter 0.9.0 needs Python >= 3.11; \`${base}\` ${version.status === 0 ? `is ${version.stdout.trim()}` : "was not found"}. Install python3 (>= 3.11) or point DUTKIT_PYTHON at one.`,
  );
}

console.log(`ensure-jumpstarter: installing the pinned Jumpstarter into ${venv}`);
rmSync(venv, { recursive: true, force: true });
if (!run(base, ["-m", "venv", venv], 120_000)) {
  fail(`\`${base} -m venv\` failed; on Debian install python3-venv (apt-get install python3-venv)`);
}
const pip = [
  "-m",
  "pip",
  "install",
  "--quiet",
  "--disable-pip-version-check",
  "--no-input",
  "--only-binary=:all:",
  "-r",
  requirements,
];
if (!run(python, pip, INSTALL_TIMEOUT_MS)) {
  rmSync(venv, { recursive: true, force: true });
  fail(`pip could not install ${requirements}; see pip's message above (the machine must reach PyPI)`);
}
writeFileSync(stamp, wanted);
console.log("ensure-jumpstarter: Jumpstarter 0.9.0 is ready");
