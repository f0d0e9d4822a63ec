// The U-Boot console client against a scripted U-Boot (FakeUbootBoard), in-process and over gRPC.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { FailedPreconditionError, InvalidArgumentError } from "../../core/errors.ts";
import { exporterConfig, openBoard, type TestBoard, WIRES } from "../../testing/open-board.ts";
import "./__fixtures__/fake-uboot-board.ts";
import { UbootCommandError, UbootConsoleClient } from "./index.ts";

const exporter = exporterConfig({
  board: { type: "FakeUbootBoard", config: { keysToStop: 3 } },
  uboot: {
    type: "jumpstarter_driver_uboot.driver.UbootConsole",
    config: { power_off_wait: 0, interrupt_interval: 0.05, boot_timeout: 10, command_timeout: 5 },
    children: { power: { ref: "board.power" }, serial: { ref: "board.console" } },
  },
});

describe.each(WIRES)("UbootConsoleClient on a scripted U-Boot (%s)", (wire) => {
  let board: TestBoard;
  let uboot: UbootConsoleClient;
  beforeEach(async () => {
    board = await openBoard(exporter, wire);
    uboot = board.client.uboot;
  });
  afterEach(async () => {
    await board.close();
  });

  test("is the client the report selects, with the configured prompt", async () => {
    expect(uboot).toBeInstanceOf(UbootConsoleClient);
    expect(await uboot.getPrompt()).toBe("=>");
  });

  test("reboots to the prompt, then runs checked commands", async () => {
    expect(await uboot.rebootToConsole()).toMatch(
      /U-Boot 2023\.01 \(fake\)[\s\S]*Hit any key to stop autoboot/,
    );
    expect(await uboot.runCommandChecked("echo hello")).toBe("hello");
    expect(await uboot.runCommandChecked("echo a; echo b")).toBe("a\nb");
  });

  test("a failed checked command throws UbootCommandError with its exit code and output", async () => {
    await uboot.rebootToConsole();
    const failed = await uboot.runCommandChecked("echo before; false").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(UbootCommandError);
    expect(failed).toMatchObject({
      code: "ERR_DUTKIT_UBOOT_COMMAND_FAILED",
      command: "echo before; false",
      exitCode: 1,
      output: "before",
    });
    expect(await uboot.runCommandChecked("echo still here")).toBe("still here");
  });

  test("a bad pattern fails a command at once; switched off, the exit code tells", async () => {
    await uboot.rebootToConsole();
    await expect(uboot.runCommand("bogus")).rejects.toThrow(/bad pattern "unknown_command"/);
    expect(await uboot.runCommand("bogus; echo rc=$?", { ignoreBadPatterns: ["unknown_command"] })).toMatch(
      /Unknown command 'bogus'.*\nrc=1$/s,
    );
  });

  test("the transcript has both directions; after closeConsole the next call finds the prompt again", async () => {
    const since = Date.now();
    await uboot.rebootToConsole();
    await uboot.runCommandChecked("echo first");
    expect(await uboot.transcript(since)).toMatch(/echo first/);
    await uboot.closeConsole();
    expect(await uboot.runCommandChecked("echo second")).toBe("second");
  });

  test("arguments are checked on the exporter and refused with the fix", async () => {
    await expect(uboot.runCommand("echo x", { timeout: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(uboot.runCommand("echo x", { timeout: -1 })).rejects.toThrow(/give seconds, > 0/);
    await expect(uboot.setEnv("bad name", "v")).rejects.toThrow(InvalidArgumentError);
  });

  test("after the session closes, calls fail instead of hanging", async () => {
    await uboot.rebootToConsole();
    await board.session.close();
    await expect(uboot.runCommand("echo late")).rejects.toThrow(FailedPreconditionError);
  });
});
