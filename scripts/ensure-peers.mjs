#!/usr/bin/env node
// Installs the system programs the tests talk to (real peers, not mocks), through apt, when
// they are missing. Usage: node scripts/ensure-peers.mjs [group ...]  (default: every group)
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

/** group → [binary to look for, Debian package that provides it] */
const peers = {
  browser: [["/usr/bin/chromium", "chromium"]],
  tftp: [
    ["tftp", "tftp-hpa"],
    ["busybox", "busybox"],
    ["/usr/sbin/in.tftpd", "tftpd-hpa"],
  ],
  serial: [
    ["socat", "socat"],
    ["ser2net", "ser2net"],
  ],
  qemu: [
    ["qemu-system-aarch64", "qemu-system-arm"],
    ["/usr/lib/u-boot/qemu_arm64/u-boot.bin", "u-boot-qemu"],
  ],
};

function found(binary) {
  if (binary.startsWith("/")) {
    try {
      accessSync(binary, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }
  try {
    execFileSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const groups = process.argv.slice(2);
for (const group of groups) {
  if (!(group in peers)) {
    console.error(`ensure-peers: unknown group "${group}"; known: ${Object.keys(peers).join(", ")}`);
    process.exit(2);
  }
}
const wanted = (groups.length ? groups : Object.keys(peers)).flatMap((g) => peers[g]);
const missing = [...new Set(wanted.filter(([binary]) => !found(binary)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const asRoot = process.getuid?.() === 0;
console.log(`ensure-peers: installing ${missing.join(", ")} with apt-get`);
try {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) =>
    execFileSync(asRoot ? args[0] : "sudo", asRoot ? args.slice(1) : ["-n", ...args], {
      stdio: "inherit",
      env,
    });
  run(["apt-get", "update", "-qq"]);
  run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...missing]);
} catch {
  console.error(
    `ensure-peers: could not install ${missing.join(", ")}. Install them yourself (as root: apt-get install -y ${missing.join(" ")}) and run again.`,
  );
  process.exit(1);
}
// Debian starts tftpd-hpa as a service on port 69; the tests start their own servers.
if (missing.includes("tftpd-hpa")) {
  try {
    execFileSync("sh", ["-c", "service tftpd-hpa stop || pkill -x in.tftpd || true"], { stdio: "ignore" });
  } catch {}
}
