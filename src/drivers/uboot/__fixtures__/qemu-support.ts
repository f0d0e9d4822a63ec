import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter } from "node:path";

export const UBOOT_BIN = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";

/** Why U-Boot cannot run in QEMU here, or undefined. */
export function qemuSkipReason(): string | undefined {
  const found = (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(`${dir}/qemu-system-aarch64`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) return "qemu-system-aarch64 is not installed (Debian: apt-get install -y qemu-system-arm)";
  try {
    accessSync(UBOOT_BIN, constants.R_OK);
  } catch {
    return `${UBOOT_BIN} is missing (Debian: apt-get install -y u-boot-qemu)`;
  }
  return undefined;
}

/** Why our TFTP server cannot take port 69, or undefined. */
export function tftpSkipReason(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  return "serving TFTP to the guest needs UDP port 69 on 127.0.0.1, which only root may bind; run as root (CI does)";
}

/**
 * The version the installed U-Boot signs on with (e.g. "2023.01+dfsg-2+deb12u3"), read from
 * the binary's sign-on string, so tests follow the installed package instead of a pinned one.
 */
export function installedUbootVersion(): string {
  const found = /U-Boot (20\d\d\.\d\d\S*) \(/.exec(readFileSync(UBOOT_BIN).toString("latin1"));
  if (!found)
    throw new Error(`no "U-Boot <version> (" sign-on string in ${UBOOT_BIN}: is it a U-Boot binary?`);
  return found[1]!;
}

/** `text` as a regular expression that matches it literally. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as U-Boot's crc32 command), computed here on the host. */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
