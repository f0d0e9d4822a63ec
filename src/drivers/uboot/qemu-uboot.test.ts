// The U-Boot console driver against real U-Boot in qemu-system-aarch64, and a real TFTP server.
// The driver is built by hand over the Qemu board's children (the same objects refs resolve to),
// so this file stays in-process; qemu-uboot-client.test.ts runs the client over both wires.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defineExporter } from "../../config/define.ts";
import { openLocalSession } from "../../exporter/local.ts";
import type { Session } from "../../exporter/session.ts";
import { acquirePortLock, type HeldLock } from "../tftp/__fixtures__/port-lock.ts";
import type { Tftp } from "../tftp/index.ts";
import {
  crc32,
  installedUbootVersion,
  literal,
  qemuSkipReason,
  tftpSkipReason,
  UBOOT_BIN,
} from "./__fixtures__/qemu-support.ts";
import { UbootConfig } from "./config.ts";
import { UbootConsole } from "./driver.ts";
import { UbootCommandError } from "./errors.ts";
import { parseTftpRate } from "./syntax.ts";

const qemuSkip = qemuSkipReason();
const tftpSkip = qemuSkip ?? tftpSkipReason();
const LOAD_ADDR = 0x40400000;
const SIZE = 4 * 1024 * 1024;
/** Other files serving U-Boot on port 69 (other workers, other projects) wait this long for it. */
const PORT_LOCK_MS = 8 * 60_000;
/**
 * Debian's qemu_arm64 U-Boot is built without CONFIG_IP_DEFRAG, so it asks for a blksize of at
 * most TFTP_MTU_BLOCKSIZE (1468, net/tftp.c) whatever tftpblocksize says.
 */
const UBOOT_BLKSIZE_CAP = 1468;

let session: Session;
let uboot: UbootConsole;
let port69: HeldLock | undefined;

beforeAll(async () => {
  if (qemuSkip) return;
  if (!tftpSkip) port69 = await acquirePortLock(69, { holder: import.meta.url, timeoutMs: PORT_LOCK_MS });
  session = await openLocalSession(
    defineExporter({
      apiVersion: "jumpstarter.dev/v1alpha1",
      kind: "ExporterConfig",
      metadata: { name: "uboot-driver" },
      export: {
        board: {
          type: "Qemu",
          config: {
            arch: "aarch64",
            machine: "virt",
            cpu: "cortex-a57",
            accel: "tcg",
            mem: "256M",
            smp: 1,
            bios: UBOOT_BIN,
            stop_timeout: 2,
          },
        },
        tftp: { type: "Tftp", config: { host: "127.0.0.1", port: tftpSkip ? 0 : 69 } },
      },
    }),
  );
  uboot = new UbootConsole(UbootConfig.parse({ power_off_wait: 0 }), {
    children: { power: session.driver("board.power"), serial: session.driver("board.console") },
  });
}, PORT_LOCK_MS + 30_000);

afterAll(async () => {
  await uboot?.close();
  await session?.close();
  await port69?.release();
});

describe.skipIf(qemuSkip !== undefined)(
  `UbootConsole on QEMU${qemuSkip ? ` (skipped: ${qemuSkip})` : ""}`,
  { timeout: 60_000 },
  () => {
    test("reboots to the prompt; checked commands report exit codes through the marker", async () => {
      expect(await uboot.reboot_to_console()).toMatch(/Hit any key to stop autoboot/);
      // `version` prints the sign-on, a bad pattern elsewhere: switch it off for this command.
      await expect(uboot.run_command_checked("version")).rejects.toThrow(/bad pattern "signon"/);
      expect(await uboot.run_command_checked("version", null, ["signon"])).toMatch(
        new RegExp(`^U-Boot ${literal(installedUbootVersion())} \\(`),
      );
      expect(await uboot.run_command_checked("echo a;")).toBe("a");
      const failed = await uboot.run_command_checked("echo out; test 1 = 2").catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(UbootCommandError);
      expect(failed).toMatchObject({ exitCode: 1, output: "out" });
      await expect(uboot.run_command("nope")).rejects.toThrow(/bad pattern "unknown_command"/);
      // After a bad pattern the console finds its prompt again.
      expect(await uboot.run_command("nope; echo rc=$?", null, ["unknown_command"])).toMatch(/rc=1$/);
      expect(await uboot.run_command_checked("echo still here")).toBe("still here");
    });

    test("every reboot reaches a clean prompt: the interrupts never garble the first line", async () => {
      for (let boot = 0; boot < 3; boot++) {
        const since = Date.now();
        await uboot.reboot_to_console();
        expect(await uboot.run_command_checked(`echo boot ${boot}`)).toBe(`boot ${boot}`);
        expect(uboot.transcript(since)).not.toMatch(/Unknown command/);
      }
    });

    test("values with spaces, quotes, backslashes and $ survive set_env/get_env", async () => {
      await uboot.reboot_to_console();
      const values: Record<string, string> = {
        a: "two  spaces ",
        b: `it's "q" 'x'`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a U-Boot variable reference, kept literally.
        c: "$ipaddr ${serverip} $? \\$x \\",
        d: "a;b # c \\\\ e = f",
        e: "",
      };
      await uboot.set_env_dict(Object.fromEntries(Object.entries(values).map(([k, v]) => [`dk_${k}`, v])));
      for (const [k, v] of Object.entries(values)) expect(await uboot.get_env(`dk_${k}`)).toBe(v);
      await uboot.set_env("dk_a", null);
      expect(await uboot.get_env("dk_a")).toBeNull();
    });

    test("long commands go through with input pacing", async () => {
      await uboot.reboot_to_console();
      const word = "x".repeat(450);
      expect(await uboot.run_command_checked(`echo ${word}`)).toBe(word);
      await expect(uboot.run_command(`echo ${"y".repeat(600)}`)).rejects.toThrow(/at most 510/);
    });

    describe.skipIf(tftpSkip !== undefined)(`TFTP${tftpSkip ? ` (skipped: ${tftpSkip})` : ""}`, () => {
      test("DHCP, then a 4 MiB TFTP load whose CRC-32 matches; rates per blocksize/windowsize", async () => {
        await uboot.reboot_to_console();
        const lease = await uboot.setup_dhcp();
        expect(lease).toEqual({ ip: "10.0.2.15", gateway: "10.0.2.2", netmask: "255.255.255.0" });
        await uboot.set_env("serverip", "127.0.0.1");
        const tftp = session.driver<Tftp>("tftp");
        await tftp.start();
        const file = randomBytes(SIZE);
        const storage = session.driver("tftp.storage") as unknown as { root: string };
        const { writeFile } = await import("node:fs/promises");
        await writeFile(`${storage.root}/random.bin`, file);
        expect(await uboot.tftpboot(LOAD_ADDR, "random.bin")).toBe(SIZE);
        expect(await uboot.crc32(LOAD_ADDR, SIZE)).toBe(crc32(file));

        const rates: string[] = [];
        for (const [blocksize, windowsize] of [
          [512, 1],
          [1468, 1],
          [1468, 8],
          [8192, 1],
          [8192, 8],
        ] as const) {
          const pair = `blocksize ${blocksize} windowsize ${windowsize}`;
          await uboot.set_env_dict({ tftpblocksize: String(blocksize), tftpwindowsize: String(windowsize) });
          // Clear the load area, so a CRC match shows this load's bytes, not the previous one's.
          await uboot.run_command_checked(`mw.b ${LOAD_ADDR.toString(16)} 0 ${SIZE.toString(16)}`);
          const before = (await tftp.transfers()).length;
          const started = performance.now();
          const out = await uboot.run_command_checked(`tftpboot ${LOAD_ADDR.toString(16)} random.bin`);
          const ms = performance.now() - started;
          expect(/Bytes transferred = (\d+)/.exec(out)?.[1], pair).toBe(String(SIZE));
          expect(await uboot.crc32(LOAD_ADDR, SIZE), pair).toBe(crc32(file));
          const records = await tftp.transfers();
          expect(records.length, `${pair}: one transfer record per load`).toBe(before + 1);
          expect(records.at(-1), pair).toMatchObject({
            filename: "random.bin",
            outcome: "completed",
            bytes: SIZE,
            blksize: Math.min(blocksize, UBOOT_BLKSIZE_CAP),
            // The server grants up to windowsize_max (64 by default): what U-Boot asked.
            windowsize,
          });
          rates.push(
            `${pair}: U-Boot ${parseTftpRate(out)}, ${(ms / 1000).toFixed(2)} s wall, retransmits ${records.at(-1)?.retransmits}`,
          );
        }
        console.log(
          `TFTP 4 MiB into U-Boot ${installedUbootVersion()} (qemu-system-aarch64 TCG):\n  ${rates.join("\n  ")}`,
        );
      });
    });
  },
);
