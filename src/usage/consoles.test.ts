import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { attachmentText, ConsoleTranscriptFiles, fileNamePart } from "./consoles.ts";

describe("fileNamePart", () => {
  it("keeps letters, digits, _ and single dots, and turns everything else into one dash", () => {
    expect(fileNamePart("board > boots to a prompt", 60, "test")).toBe("board-boots-to-a-prompt");
    expect(fileNamePart("board.serial", 40, "console")).toBe("board.serial");
    expect(fileNamePart("Crème brûlée ✓", 60, "test")).toBe("Creme-brulee");
    expect(fileNamePart("[chromium] a/b\\c:d*e", 60, "test")).toBe("chromium-a-b-c-d-e");
  });

  it("never yields a path, a dot name or an empty name", () => {
    expect(fileNamePart("../../etc/passwd", 60, "test")).toBe("etc-passwd");
    expect(fileNamePart("..", 60, "test")).toBe("test");
    expect(fileNamePart("✓✓✓", 60, "console")).toBe("console");
    expect(fileNamePart("", 60, "console")).toBe("console");
  });

  it("cuts long names without leaving a trailing dash", () => {
    const part = fileNamePart(`${"a".repeat(9)} ${"b".repeat(100)}`, 10, "test");
    expect(part).toBe("aaaaaaaaa");
    expect(fileNamePart("x".repeat(100), 60, "test")).toHaveLength(60);
  });
});

describe("attachmentText", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dutkit-consoles-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads utf-8 and base64 string bodies, binary bodies and files", () => {
    expect(attachmentText({ body: "< U-Boot\n", bodyEncoding: "utf-8" })).toEqual({ text: "< U-Boot\n" });
    const base64 = Buffer.from("< ok ✓\n").toString("base64");
    expect(attachmentText({ body: base64, bodyEncoding: "base64" })).toEqual({ text: "< ok ✓\n" });
    // vitest's default for a string body is base64.
    expect(attachmentText({ body: base64 })).toEqual({ text: "< ok ✓\n" });
    expect(attachmentText({ body: Buffer.from("> boot\n") })).toEqual({ text: "> boot\n" });
    writeFileSync(join(dir, "t.txt"), "from a file");
    expect(attachmentText({ path: join(dir, "t.txt") })).toEqual({ text: "from a file" });
  });

  it("says what is wrong with an attachment it cannot read", () => {
    expect(attachmentText({})).toEqual({ problem: "has neither a body nor a path" });
    expect(attachmentText({ path: join(dir, "missing.txt") })).toEqual({
      problem: expect.stringMatching(/^cannot be read \(.*missing\.txt.*\)$/),
    });
  });
});

describe("ConsoleTranscriptFiles", () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), "dutkit-consoles-"));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));
  const listing = () => readdirSync(join(out, "consoles", "vitest")).sort();

  it("writes one readable, unique file per transcript and returns links relative to the output directory", () => {
    const files = new ConsoleTranscriptFiles(out, "vitest");
    const first = files.write("board > boots", [
      { name: "serial", text: "< U-Boot 2024.01\n" },
      { name: "serial!", text: "second\n" },
      { name: "board.uboot", text: "> printenv\n" },
    ]);
    const second = files.write("board > boots", [{ name: "serial", text: "again\n" }]);
    expect([...first, ...second]).toEqual([
      { name: "serial", file: "consoles/vitest/0001-board-boots-serial.txt" },
      { name: "serial!", file: "consoles/vitest/0001-board-boots-serial-2.txt" },
      { name: "board.uboot", file: "consoles/vitest/0001-board-boots-board.uboot.txt" },
      { name: "serial", file: "consoles/vitest/0002-board-boots-serial.txt" },
    ]);
    expect(readFileSync(join(out, "consoles/vitest/0001-board-boots-serial.txt"), "utf8")).toBe(
      "< U-Boot 2024.01\n",
    );
    // Written through temporary files, none of which is left behind.
    expect(listing()).toHaveLength(4);
    expect(files.write("no consoles", [])).toEqual([]);
  });

  it("clears only the files it names, leaving other files in consoles/ alone", () => {
    mkdirSync(join(out, "consoles", "vitest"), { recursive: true });
    for (const name of ["0001-old-serial.txt", ".0002-old-serial.txt.123.tmp", "notes.txt", "0003-x.log"])
      writeFileSync(join(out, "consoles", "vitest", name), "");
    const files = new ConsoleTranscriptFiles(out, "vitest");
    expect(files.clear()).toEqual([]);
    expect(listing()).toEqual(["0003-x.log", "notes.txt"]);
    expect(new ConsoleTranscriptFiles(join(out, "nowhere"), "vitest").clear()).toEqual([]);
  });

  it("prunes the files the report does not link, and the directory once empty", () => {
    const files = new ConsoleTranscriptFiles(out, "vitest");
    const [kept] = files.write("kept", [{ name: "serial", text: "k" }]);
    files.write("left out", [{ name: "serial", text: "l" }]);
    expect(files.prune(new Set([kept!.file]))).toEqual([]);
    expect(listing()).toEqual(["0001-kept-serial.txt"]);

    expect(files.prune(new Set())).toEqual([]);
    expect(readdirSync(out), "consoles/vitest/ and consoles/ removed once empty").toEqual([]);
  });

  it("throws when the directory cannot be made, and reports a consoles/ it cannot list", () => {
    mkdirSync(join(out, "consoles"));
    writeFileSync(join(out, "consoles", "vitest"), "a file in the way");
    const files = new ConsoleTranscriptFiles(out, "vitest");
    expect(() => files.write("t", [{ name: "serial", text: "x" }])).toThrow(/EEXIST|ENOTDIR/);
    expect(files.clear()).toEqual([
      expect.stringMatching(
        /^cannot list .*consoles\/vitest to remove the previous run's console transcripts \(.*ENOTDIR/,
      ),
    ]);
  });
});
