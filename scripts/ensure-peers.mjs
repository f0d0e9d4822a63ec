#!/usr/bin/env node
// Installs the system programs the tests talk to (real peers, not mocks), through apt, when
// they are missing. Usage: node scripts/ensure-peers.mjs [group ...]  (default: every group)
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

/**
 * group → [what to look for, Debian package that provides it]. What to look for is a path, a
 * command on PATH, or a command and a text its output must contain: another program of the same
 * name (netkit's `tftp` instead of tftp-hpa's) is not the peer the tests need.
 */
const peers = {
  browser: [["/usr/bin/chromium", "chromium"]],
  tftp: [
    [{ command: ["tftp", "-V"], says: "tftp-hpa" }, "tftp-hpa"],
    [{ command: ["busybox", "tftp", "--help"], says: "-b SIZE" }, "busybox"],
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

function found(peer) {
  if (typeof peer === "object") {
    const [command, ...args] = peer.command;
    const result = spawnSync(command, args, {
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return `${result.stdout ?? ""}${result.stderr ?? ""}`.includes(peer.says);
  }
  if (peer.startsWith("/")) {
    try {
      accessSync(peer, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }
  try {
    execFileSync("sh", ["-c", `command -v ${peer}`], { stdio: "ignore" });
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
const missing = [...new Set(wanted.filter(([peer]) => !found(peer)).map(([, pkg]) => pkg))];
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
// Installed, yet not what the tests need (say another `tftp` earlier on PATH): stop here, since
// the tests would otherwise run against the wrong program.
const stillMissing = wanted.filter(([peer]) => !found(peer));
if (stillMissing.length > 0) {
  const shown = stillMissing.map(([peer, pkg]) =>
    typeof peer === "object"
      ? `\`${peer.command.join(" ")}\` does not say "${peer.says}" (${pkg})`
      : `${peer} (${pkg})`,
  );
  console.error(
    `ensure-peers: after installing, still not found: ${shown.join("; ")}. Check which program comes first on PATH (command -v) and remove or reorder the other one.`,
  );
  process.exit(1);
}
