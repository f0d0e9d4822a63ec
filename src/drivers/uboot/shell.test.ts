import { afterEach, describe, expect, test } from "vitest";
import { ExpectConsole, UBOOT_BAD_PATTERNS } from "../../expect/index.ts";
import { FakeUboot, type FakeUbootOptions } from "./__fixtures__/fake-uboot.ts";
import { UbootCommandError, UbootNoPromptError } from "./errors.ts";
import { UbootShell, type UbootShellOptions } from "./shell.ts";
import { hexArg, parseCrc32, parsePrintenv, quote, withMarker } from "./syntax.ts";

const consoles: ExpectConsole[] = [];
afterEach(() => {
  for (const c of consoles.splice(0)) c.close();
});

async function fake(o: FakeUbootOptions = {}, shell: Partial<UbootShellOptions> = {}) {
  const device = new FakeUboot(o);
  const console = new ExpectConsole(
    { readable: device.fromDevice, writable: device.toDevice },
    { badPatterns: UBOOT_BAD_PATTERNS, encoding: "latin1" },
  );
  consoles.push(console);
  const sh = new UbootShell(console, {
    prompt: "=>",
    chunkSize: 16,
    echoTimeoutMs: 2000,
    maxLineLength: 510,
    lineEnding: "\n",
    ...shell,
  });
  device.powerOn();
  return { device, sh };
}

/** Autoboot interrupt settings; the deadline counts from each call, not from the file's load. */
const stop = () => ({ interrupt: "\u001b", intervalMs: 50, retries: 40, deadline: Date.now() + 30_000 });

describe("U-Boot syntax", () => {
  test("values are single-quoted with backslash and quote escaped, as U-Boot's hush reads them", () => {
    expect(quote(`it's $x \\ "q"`)).toBe(`'it'\\''s $x \\\\ "q"'`);
    expect(() => quote("tab\there")).toThrow(/U\+0009.*printable ASCII/);
  });
  test("the marker's echo cannot match its output", () => {
    const { line, pattern } = withMarker("tftpboot 0x40400000 x;", 7);
    expect(line).toBe('tftpboot 0x40400000 x; echo dk""7=$?=');
    expect(pattern.test(line)).toBe(false);
    expect(pattern.exec("out\ndk7=1=")?.[1]).toBe("1");
  });
  test("printenv, crc32 and addresses", () => {
    expect(parsePrintenv("foo==a b", "foo")).toBe("=a b");
    expect(parsePrintenv('## Error: "foo" not defined', "foo")).toBeNull();
    expect(parseCrc32("crc32 for 40000000 ... 400000ff ==> e417ec0a")).toBe(0xe417ec0a);
    expect(hexArg(4194304, "size")).toBe("0x400000");
    expect(hexArg("$loadaddr", "addr")).toBe("$loadaddr");
    expect(() => hexArg("1; reset", "addr")).toThrow(/give a number/);
  });
});

describe("UbootShell on a scripted U-Boot", () => {
  test("stops autoboot after several interrupts, then runs checked commands", async () => {
    const { sh } = await fake({ keysToStop: 5 });
    expect(await sh.interruptAutoboot(stop())).toMatch(/Hit any key/);
    expect(await sh.runChecked("echo hello", { timeoutMs: 2000 })).toBe("hello");
    const failed = await sh.runChecked("echo before; false", { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(UbootCommandError);
    expect(failed).toMatchObject({ exitCode: 1, output: "before" });
  });

  test("interrupts that land in the line after the prompt do not garble the first command", async () => {
    // Three ESCs in the line leave the editor inside an escape sequence: one Ctrl-C alone becomes
    // part of the line, and the resync's echo would run as "Unknown command".
    const { device, sh } = await fake({ keysToStop: 1, lateKeys: 3 });
    await sh.interruptAutoboot(stop());
    expect(await sh.runChecked("echo hello", { timeoutMs: 2000 })).toBe("hello");
    expect(device.unknownCommands).toBe(0);
  });

  test("gives up after the bounded number of interrupts with a clear error", async () => {
    const { sh } = await fake({ keysToStop: 1000 });
    const error = await sh.interruptAutoboot({ ...stop(), retries: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UbootNoPromptError);
    expect(String(error)).toMatch(/after 5 interrupts.*Check the prompt and interrupt settings/);
  });

  test("input pacing: a 16-byte FIFO loses a long line sent at once, not one sent in echoed chunks", async () => {
    const { sh } = await fake({ fifo: 16 });
    await sh.interruptAutoboot(stop());
    const word = "y".repeat(200);
    expect(await sh.runChecked(`echo ${word}`, { timeoutMs: 2000 })).toBe(word);
    const unpaced = await fake({ fifo: 16 }, { chunkSize: 0, echoTimeoutMs: 300 });
    await unpaced.sh.interruptAutoboot(stop());
    await expect(unpaced.sh.run(`echo ${word}`, { timeoutMs: 2000 })).rejects.toThrow(/no U-Boot prompt/);
  });

  test("bad patterns fail a command at once, can be switched off, and the prompt is found again", async () => {
    const { sh } = await fake();
    await sh.interruptAutoboot(stop());
    await expect(sh.run("bogus", { timeoutMs: 2000 })).rejects.toThrow(/bad pattern "unknown_command"/);
    expect(
      await sh.run("bogus; echo rc=$?", { timeoutMs: 2000, ignoreBadPatterns: ["unknown_command"] }),
    ).toMatch(/Unknown command 'bogus'.*\nrc=1$/s);
  });

  test("a line longer than U-Boot's buffer is refused before sending, or when U-Boot rings the bell", async () => {
    const { sh } = await fake({ maxLine: 40 });
    await sh.interruptAutoboot(stop());
    await expect(sh.run(`echo ${"z".repeat(600)}`, { timeoutMs: 2000 })).rejects.toThrow(/at most 510/);
    await expect(sh.run(`echo ${"z".repeat(60)}`, { timeoutMs: 2000 })).rejects.toThrow(/rang the bell/);
    expect(await sh.runChecked("echo ok", { timeoutMs: 2000 })).toBe("ok");
  });
});
