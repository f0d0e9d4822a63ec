import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  EOF,
  ExpectBadPatternError,
  ExpectConsole,
  type ExpectConsoleOptions,
  ExpectEofError,
  ExpectTimeoutError,
  TIMEOUT,
  UBOOT_BAD_PATTERNS,
} from "./index.ts";

const consoles: ExpectConsole[] = [];
afterEach(() => {
  for (const c of consoles.splice(0)) c.close();
});

/** A console over two in-memory pipes: `device.write` is what the device prints. */
function open(options: ExpectConsoleOptions = {}) {
  const device = new PassThrough();
  const sent = new PassThrough();
  const console = new ExpectConsole({ readable: device, writable: sent }, options);
  consoles.push(console);
  const received: Buffer[] = [];
  sent.on("data", (b: Buffer) => received.push(b));
  return { console, device, sentText: () => Buffer.concat(received).toString() };
}

describe("expect: chunk boundaries", () => {
  it("finds a string split over two reads", async () => {
    const { console, device } = open();
    const waiting = console.expect("U-Boot 2023.01");
    device.write("noise U-Bo");
    device.write("ot 2023.01 rest");
    const r = await waiting;
    expect(r).toMatchObject({ index: 0, before: "noise ", after: "U-Boot 2023.01" });
    expect(console.pending).toBe(" rest");
  });

  it("finds strings and RegExps fed one character at a time", async () => {
    const { console, device } = open();
    const waiting = console.expect([/Bytes transferred = (\d+) \((\w+) hex\)\r?\n/, "never"]);
    for (const ch of "abc\r\nBytes transferred = 4194304 (400000 hex)\r\n=> ") device.write(ch);
    const r = await waiting;
    expect(r.index).toBe(0);
    expect(r.match?.[1]).toBe("4194304");
    expect(r.match?.[2]).toBe("400000");
    expect(r.before).toBe("abc\r\n");
    expect(console.pending).toBe("=> ");
  });

  it("decodes a UTF-8 character split between reads", async () => {
    const { console, device } = open();
    const waiting = console.expect("grüße");
    const bytes = Buffer.from("x grüße");
    device.write(bytes.subarray(0, 5));
    device.write(bytes.subarray(5));
    expect((await waiting).before).toBe("x ");
  });

  it("finds output that arrived before expect was called, and keeps what follows", async () => {
    const { console, device } = open();
    device.write("login: ");
    await new Promise((r) => setImmediate(r));
    expect((await console.expect("login:")).after).toBe("login:");
    device.write("Password:");
    expect((await console.expect(/Pass\w+:/)).before).toBe(" ");
  });

  it("anchors ^ at the start of the unmatched output only", async () => {
    const { console, device } = open();
    const waiting = console.expect([/^foo/, "end"]);
    device.write("xfoo end");
    expect((await waiting).index).toBe(1);
  });
});

describe("expect: pattern lists", () => {
  it("the earliest match in the output wins, whatever its place in the list", async () => {
    const { console, device } = open();
    device.write("aaa second bbb first");
    const r = await console.expect(["first", /sec\w+/]);
    expect(r).toMatchObject({ index: 1, before: "aaa ", after: "second" });
  });

  it("on a tie the pattern listed first wins", async () => {
    const { console, device } = open();
    device.write("=> ");
    expect((await console.expect(["=>", "=> "])).index).toBe(0);
  });

  it("rejects an empty list, an empty string and non-patterns", async () => {
    const { console } = open();
    await expect(console.expect([])).rejects.toThrow(/at least one pattern/);
    await expect(console.expect("")).rejects.toThrow(/empty string/);
    await expect(console.expect(42 as never)).rejects.toThrow(/not a pattern/);
  });

  it("refuses a second expect while one waits", async () => {
    const { console, device } = open();
    const first = console.expect("a");
    await expect(console.expect("b")).rejects.toMatchObject({ code: "ERR_DUTKIT_EXPECT_BUSY" });
    device.write("a");
    await first;
  });
});

describe("expect: EOF and TIMEOUT", () => {
  it("EOF in the list matches the end of the stream, with all output before it", async () => {
    const { console, device } = open();
    const waiting = console.expect(["never", EOF]);
    device.end("bye\n");
    expect(await waiting).toMatchObject({ index: 1, pattern: EOF, before: "bye\n", after: "", match: null });
  });

  it("text before the end still matches ahead of EOF", async () => {
    const { console, device } = open();
    device.end("done");
    expect((await console.expect([EOF, "done"])).index).toBe(1);
  });

  it("without EOF in the list the end fails the wait with ERR_DUTKIT_EXPECT_EOF", async () => {
    const { console, device } = open();
    const waiting = console.expect("=> ");
    device.end("partial");
    const error = await waiting.catch((e) => e);
    expect(error).toBeInstanceOf(ExpectEofError);
    expect(error.code).toBe("ERR_DUTKIT_EXPECT_EOF");
    expect(error.message).toContain('"=> "');
    expect(error.message).toContain('"partial"');
  });

  it("a stream error fails the wait, naming the error and keeping it as cause", async () => {
    const { console, device } = open();
    const waiting = console.expect("=> ");
    const cause = new Error("serial port /dev/pts/9 went away");
    device.destroy(cause);
    const error = await waiting.catch((e) => e);
    expect(error.code).toBe("ERR_DUTKIT_EXPECT_EOF");
    expect(error.message).toContain("went away");
    expect(error.cause).toBe(cause);
  });

  it("TIMEOUT in the list matches the timeout, keeping the output buffered", async () => {
    const { console, device } = open();
    device.write("booting");
    const r = await console.expect(["=> ", TIMEOUT], { timeout: 20 });
    expect(r).toMatchObject({ index: 1, pattern: TIMEOUT, before: "booting" });
    expect(console.pending).toBe("booting");
  });

  it("a timeout error names the patterns and shows the last output, escaped", async () => {
    const { console, device } = open();
    device.write("Hit any key\r\n\x1b[0m=");
    const error = await console.expect(["=> ", /login:\s*$/], { timeout: 20 }).catch((e) => e);
    expect(error).toBeInstanceOf(ExpectTimeoutError);
    expect(error.code).toBe("ERR_DUTKIT_EXPECT_TIMEOUT");
    expect(error.message).toContain('"=> ", /login:\\s*$/');
    expect(error.message).toContain('"Hit any key\\r\\n\\x1b[0m="');
    expect(error.patterns).toEqual(['"=> "', "/login:\\s*$/"]);
  });

  it("rejects timeouts that are not a number of milliseconds", async () => {
    const { console } = open();
    await expect(console.expect("x", { timeout: -1 })).rejects.toThrow(RangeError);
    await expect(console.expect("x", { timeout: Number.POSITIVE_INFINITY })).rejects.toThrow(/milliseconds/);
  });
});

describe("bad patterns", () => {
  it("fail the wait at once with their own error", async () => {
    const { console, device } = open({ badPatterns: UBOOT_BAD_PATTERNS });
    const waiting = console.expect("=> ");
    device.write("=> foo\r\nUnknown command 'foo' - try 'help'\r\n");
    expect((await waiting).before).toBe("");
    const error = await console.expect("=> ").catch((e) => e);
    expect(error).toBeInstanceOf(ExpectBadPatternError);
    expect(error.code).toBe("ERR_DUTKIT_EXPECT_BAD_PATTERN");
    expect(error.badPattern).toBe("unknown_command");
    expect(error.message).toContain("withoutBadPatterns");
  });

  it("match U-Boot's sign-on, reset and panic messages", async () => {
    const cases: [string, string][] = [
      ["U-Boot 2023.01 (Jan 01 2023)", "signon"],
      ["U-Boot SPL 2024.04-rc1", "signon"],
      ["resetting ...", "reset"],
      ['## Error: "bootcmd" not defined', "error_notification"],
      ["### ERROR ### Please RESET the board ###", "panic"],
    ];
    for (const [text, name] of cases) {
      const { console, device } = open({ badPatterns: UBOOT_BAD_PATTERNS });
      device.write(`${text}\n`);
      await expect(console.expect("=> ")).rejects.toMatchObject({ badPattern: name });
    }
  });

  it("are switched off inside withoutBadPatterns and back on after", async () => {
    const { console, device } = open({ badPatterns: UBOOT_BAD_PATTERNS });
    const result = await console.withoutBadPatterns(["reset", "signon"], async () => {
      const waiting = console.expect("=> ");
      device.write("resetting ...\r\nU-Boot 2023.01\r\n=> ");
      return waiting;
    });
    expect(result.before).toContain("resetting");
    device.write("resetting ...\r\n");
    await expect(console.expect("=> ")).rejects.toMatchObject({ badPattern: "reset" });
  });

  it("nested switch-offs restore only what they changed", async () => {
    const { console, device } = open({ badPatterns: UBOOT_BAD_PATTERNS });
    await console.withoutBadPatterns("all", async () => {
      await console.withoutBadPatterns(["reset"], async () => {});
      device.write("resetting ...\n=> ");
      await console.expect("=> ");
    });
    device.write("resetting ...\n");
    await expect(console.expect("=> ")).rejects.toMatchObject({ badPattern: "reset" });
  });

  it("are ignored per call with ignoreBadPatterns", async () => {
    const { console, device } = open({ badPatterns: UBOOT_BAD_PATTERNS });
    device.write("Unknown command 'x'\n## Error: no\n=> ");
    const r = await console.expect("=> ", { ignoreBadPatterns: ["unknown_command", "error_notification"] });
    expect(r.before).toContain("## Error");
    device.write("## Error: again\n=> ");
    expect((await console.expect("=> ", { ignoreBadPatterns: true })).before).toContain("again");
  });

  it("text awaited before a bad pattern still matches", async () => {
    const { console, device } = open({ badPatterns: UBOOT_BAD_PATTERNS });
    device.write("ok\n=> Unknown command");
    expect((await console.expect("=> ")).before).toBe("ok\n");
  });

  it("naming an unknown bad pattern is an error listing the known ones", async () => {
    const { console } = open({ badPatterns: UBOOT_BAD_PATTERNS });
    await expect(console.withoutBadPatterns(["typo"], () => 1)).rejects.toThrow(/unknown_command/);
  });
});

describe("buffer bound and transcript", () => {
  it("keeps at most maxBuffer characters, dropping the oldest with a note", async () => {
    const { console, device } = open({ maxBuffer: 100 });
    const waiting = console.expect("MARK", { timeout: 5000 });
    for (let i = 0; i < 50; i++) device.write("0123456789abcdefghij");
    device.write("..MA");
    device.write("RK");
    const r = await waiting;
    expect(r.before.length).toBeLessThanOrEqual(100);
    expect(r.before.endsWith("ghij..")).toBe(true);
    expect(console.droppedChars).toBeGreaterThan(900);
    expect(console.transcript.format()).toContain("expect buffer full (maxBuffer 100 characters)");
  });

  it("records every byte in and out with timestamps; slice(since) gives a part", async () => {
    const { console, device, sentText } = open();
    device.write("first\r\n");
    await console.expect("first");
    const since = Date.now();
    const mark = console.transcript.mark();
    await console.sendline("printenv");
    device.write("bootcmd=run x\r\n\x07");
    await console.expect("bootcmd");
    expect(sentText()).toBe("printenv\n");
    const part = console.transcript.slice(mark);
    expect(part.map((e) => e.direction)).toEqual(["out", "in"]);
    expect(console.transcript.slice(since).slice(-2)).toEqual(part);
    expect(part.every((e) => e.time >= since)).toBe(true);
    const text = console.transcript.format(part);
    expect(text).toMatch(/> printenv/);
    expect(text).toContain("< bootcmd=run x");
    expect(text).toContain("\\x07");
    expect(text).not.toContain("first");
  });

  it("send after close fails with ERR_DUTKIT_EXPECT_CLOSED, and a waiting expect ends", async () => {
    const { console } = open();
    const waiting = console.expect("x");
    console.close();
    await expect(waiting).rejects.toMatchObject({ code: "ERR_DUTKIT_EXPECT_EOF" });
    await expect(console.send("a")).rejects.toMatchObject({ code: "ERR_DUTKIT_EXPECT_CLOSED" });
  });
});
