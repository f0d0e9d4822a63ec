// The U-Boot console client against real U-Boot in qemu-system-aarch64, in-process and over gRPC:
// the board as a Jumpstarter exporter config declares it (UbootConsole over refs to the Qemu
// board's children). qemu-uboot.test.ts tests the driver itself, and TFTP.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defineExporter } from "../../config/define.ts";
import { openBoard, type TestBoard, WIRES } from "../../testing/open-board.ts";
import {
  crc32,
  installedUbootVersion,
  literal,
  qemuSkipReason,
  UBOOT_BIN,
} from "./__fixtures__/qemu-support.ts";
import { UbootCommandError, type UbootConsoleClient } from "./index.ts";

const qemuSkip = qemuSkipReason();

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "uboot-client" },
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
    uboot: {
      type: "jumpstarter_driver_uboot.driver.UbootConsole",
      config: { power_off_wait: 0 },
      children: { power: { ref: "board.power" }, serial: { ref: "board.console" } },
    },
  },
});

describe.skipIf(qemuSkip !== undefined).each(WIRES)(
  `UbootConsoleClient on QEMU (%s)${qemuSkip ? ` (skipped: ${qemuSkip})` : ""}`,
  { timeout: 60_000 },
  (wire) => {
    let board: TestBoard;
    let uboot: UbootConsoleClient;
    beforeAll(async () => {
      board = await openBoard(exporter, wire);
      uboot = board.client.uboot;
    });
    afterAll(async () => {
      await board?.close();
    });

    test("reboots to the prompt; a failed checked command throws UbootCommandError with its fields", async () => {
      const signOn = `U-Boot ${literal(installedUbootVersion())} \\(`;
      expect(await uboot.rebootToConsole()).toMatch(new RegExp(signOn));
      expect(await uboot.runCommandChecked("version", { ignoreBadPatterns: ["signon"] })).toMatch(
        new RegExp(`^${signOn}`),
      );
      const failed = await uboot.runCommandChecked("echo out; test 1 = 2").catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(UbootCommandError);
      expect(failed).toMatchObject({
        code: "ERR_DUTKIT_UBOOT_COMMAND_FAILED",
        command: "echo out; test 1 = 2",
        exitCode: 1,
        output: "out",
      });
      await expect(uboot.runCommand("nope")).rejects.toThrow(/bad pattern "unknown_command"/);
      expect(await uboot.runCommandChecked("echo still here")).toBe("still here");
    });

    test("a value with spaces, quotes, backslashes and $ survives setEnv/getEnv; crc32 of memory", async () => {
      const value = `it's "q" $ipaddr \${serverip} \\$x \\`;
      await uboot.setEnv("dk_value", value);
      expect(await uboot.getEnv("dk_value")).toBe(value);
      await uboot.setEnv("dk_value", null);
      expect(await uboot.getEnv("dk_value")).toBeNull();
      await uboot.runCommandChecked("mw.b 0x40400000 0 0x10");
      expect(await uboot.crc32(0x40400000, 16)).toBe(crc32(Buffer.alloc(16)));
    });
  },
);
