// U-Boot in qemu-system-aarch64, driven through the U-Boot console driver: stop autoboot, run
// checked commands, set variables, DHCP, and load a file from our TFTP server.
import { randomBytes } from "node:crypto";
import { boardTest } from "dutkit/vitest";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { acquirePortLock, type HeldLock } from "../../src/drivers/tftp/__fixtures__/port-lock.ts";
import {
  crc32,
  installedUbootVersion,
  literal,
  qemuSkipReason,
  tftpSkipReason,
} from "../../src/drivers/uboot/__fixtures__/qemu-support.ts";
import { UbootCommandError } from "../../src/drivers/uboot/index.ts";

const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url) });
const qemuSkip = qemuSkipReason();
const tftpSkip = qemuSkip ?? tftpSkipReason();
/** Where files are loaded: 4 MiB into the 256 MiB of RAM at 0x40000000, clear of U-Boot. */
const LOAD_ADDR = 0x40400000;
const FILE_SIZE = 4 * 1024 * 1024;
/** Other files serving U-Boot on port 69 (other workers, other projects) wait this long for it. */
const PORT_LOCK_MS = 8 * 60_000;

// The TFTP server binds the host's port 69 (the exporter's config): hold it for this whole file.
let port69: HeldLock | undefined;
beforeAll(async () => {
  if (!tftpSkip) port69 = await acquirePortLock(69, { holder: import.meta.url, timeoutMs: PORT_LOCK_MS });
}, PORT_LOCK_MS + 10_000);
afterAll(() => port69?.release());

describe.skipIf(qemuSkip !== undefined)(`U-Boot console${qemuSkip ? ` (skipped: ${qemuSkip})` : ""}`, () => {
  test("stops autoboot and runs checked commands; a failing one throws with its output", async ({
    uboot,
  }) => {
    const signOn = `U-Boot ${literal(installedUbootVersion())} \\(`;
    const boot = await uboot.rebootToConsole();
    expect(boot).toMatch(new RegExp(signOn));
    // `version` prints the sign-on, which elsewhere means an unexpected reset: switch that check off.
    expect(await uboot.runCommandChecked("version", { ignoreBadPatterns: ["signon"] })).toMatch(
      new RegExp(`^${signOn}`),
    );
    expect(await uboot.runCommandChecked("echo a; echo b")).toBe("a\nb");

    const failure = await uboot.runCommandChecked("echo about to fail; test 1 = 2").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UbootCommandError);
    expect(failure).toMatchObject({ exitCode: 1, output: "about to fail" });
    expect(String(failure)).toMatch(/exit code 1; its output:\nabout to fail/);

    // Bad patterns fail at once with U-Boot's words; switched off, the exit code tells.
    await expect(uboot.runCommandChecked("no_such_command")).rejects.toThrow(/Unknown command/);
    const unknown = await uboot.runCommand("no_such_command; echo rc=$?", {
      ignoreBadPatterns: ["unknown_command"],
    });
    expect(unknown).toMatch(/Unknown command 'no_such_command'.*\nrc=1$/s);
  });

  test("variables keep spaces, quotes, backslashes and $ as given", async ({ uboot }) => {
    await uboot.rebootToConsole();
    const values = {
      dk_spaces: "two  spaces and a trailing one ",
      dk_quotes: `it's "quoted" 'twice'`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a U-Boot variable reference, kept literally.
      dk_dollar: "$ipaddr ${serverip} $? \\$x",
      dk_marks: "a;b # c \\ d \\\\ e = f",
      dk_empty: "",
    };
    await uboot.setEnvDict(values);
    for (const [name, value] of Object.entries(values)) expect(await uboot.getEnv(name)).toBe(value);
    await uboot.setEnv("dk_spaces", null);
    expect(await uboot.getEnv("dk_spaces")).toBeNull();
    expect(await uboot.getEnv("dk_never_set")).toBeNull();
  });

  describe.skipIf(tftpSkip !== undefined)(`TFTP${tftpSkip ? ` (skipped: ${tftpSkip})` : ""}`, () => {
    test("loads a random 4 MiB file from our TFTP server; U-Boot's CRC-32 matches the host's", async ({
      uboot,
      tftp,
    }) => {
      await uboot.rebootToConsole();
      const lease = await uboot.setupDhcp();
      expect(lease).toEqual({ ip: "10.0.2.15", gateway: "10.0.2.2", netmask: "255.255.255.0" });
      await uboot.setEnv("serverip", "127.0.0.1");

      await tftp.start();
      try {
        const file = randomBytes(FILE_SIZE);
        await tftp.storage.writeFile("random.bin", file);
        expect(await uboot.tftpboot(LOAD_ADDR, "random.bin", 60)).toBe(FILE_SIZE);
        expect(await uboot.crc32(LOAD_ADDR, FILE_SIZE)).toBe(crc32(file));
        const [served] = await tftp.transfers();
        expect(served).toMatchObject({ filename: "random.bin", outcome: "completed", bytes: FILE_SIZE });

        const missing = await uboot.tftpboot(LOAD_ADDR, "no-such-file.bin", 30).catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(UbootCommandError);
        expect((missing as UbootCommandError).output).toMatch(/TFTP error: 'File not found'/);
      } finally {
        // Port 69 is free again before afterAll hands the lock on.
        await tftp.stop();
      }
    });
  });
});
