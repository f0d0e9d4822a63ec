/**
 * Our server against the real clients boards and hosts use: tftp-hpa and busybox tftp.
 * Byte-exact results are checked; exit codes are not trusted (tftp-hpa exits 0 on errors).
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clients,
  listFiles,
  missingReason,
  randomFile,
  run,
  type Served,
  serve,
  writeFiles,
} from "./helpers/fixtures.ts";
import { download } from "./helpers/raw-client.ts";

const MiB = 1 << 20;
const sizes = [0, 1, 511, 512, 513, 1024, 3 * 1428, 3 * 1468, 8192, 2 * 65464, MiB];
const busyboxBlockSizes = [512, 1024, 1428, 1468, 8192, 65464];
/** Larger than 65535 blocks of 512 bytes: block numbers roll over to 0. */
const ROLLOVER_BYTES = 32 * MiB + 4321;
const TEXT = "first line\nsecond\r\nbare CR\rend with CR\r";
const TEXT_ON_WIRE = "first line\r\nsecond\r\0\r\nbare CR\r\0end with CR\r\0";

let served: Served;
const content = new Map<string, Buffer>();

beforeAll(async () => {
  served = await serve({ write: { enabled: true } });
  for (const size of sizes)
    content.set(`file-${size}.bin`, await randomFile(served.root, `file-${size}.bin`, size));
  content.set("rollover.bin", await randomFile(served.root, "rollover.bin", ROLLOVER_BYTES));
  await writeFiles(served.root, { "text.txt": TEXT, "sub/dir/nested.bin": "nested" });
});
afterAll(() => served.close());

const out = (name: string) => join(served.work, name);

async function expectSame(path: string, name: string): Promise<void> {
  const got = await readFile(path);
  const expected = content.get(name)!;
  expect(got.length).toBe(expected.length);
  expect(got.equals(expected)).toBe(true);
}

describe.skipIf(!clients.tftpHpa)(
  `tftp-hpa client${clients.tftpHpa ? "" : ` (skipped: ${missingReason.tftpHpa})`}`,
  () => {
    const tftp = (...command: string[]) => [
      "127.0.0.1",
      String(served.port),
      "-m",
      "binary",
      "-c",
      ...command,
    ];

    it.each(sizes)("gets a %i-byte file byte-exact", async (size) => {
      const target = out(`hpa-${size}`);
      // tftp-hpa creates the local file before the transfer: only its exit code and silence
      // tell a 0-byte success from a failure that left an empty file behind.
      const result = await run("tftp", tftp("get", `file-${size}.bin`, target));
      expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
      await expectSame(target, `file-${size}.bin`);
    });

    it("gets a file past block 65535 (rollover) byte-exact", async () => {
      const target = out("hpa-rollover");
      await run("tftp", tftp("get", "rollover.bin", target), 120_000);
      await expectSame(target, "rollover.bin");
    });

    it("gets netascii text: the client translates back to the original", async () => {
      const target = out("hpa-text");
      await run("tftp", [
        "127.0.0.1",
        String(served.port),
        "-m",
        "netascii",
        "-c",
        "get",
        "text.txt",
        target,
      ]);
      expect(await readFile(target, "latin1")).toBe(TEXT);
    });

    it("is told ERROR 1 for a missing file and ERROR 2 for a traversal", async () => {
      const missing = await run("tftp", ["-v", ...tftp("get", "no-such-file", out("hpa-missing"))]);
      expect(`${missing.stdout}${missing.stderr}`).toMatch(/Error code 1: File not found/);
      const traversal = await run("tftp", ["-v", ...tftp("get", "../../etc/passwd", out("hpa-passwd"))]);
      expect(`${traversal.stdout}${traversal.stderr}`).toMatch(/Error code [12]: /);
      expect(`${traversal.stdout}${traversal.stderr}`).not.toContain(served.root);
    });

    it("puts a netascii file: the server stores the original line ends", async () => {
      const source = out("hpa-upload.txt");
      await writeFile(source, TEXT, "latin1");
      await run("tftp", [
        "127.0.0.1",
        String(served.port),
        "-m",
        "netascii",
        "-c",
        "put",
        source,
        "hpa-upload.txt",
      ]);
      expect(await readFile(join(served.root, "hpa-upload.txt"), "latin1")).toBe(TEXT);
    });
  },
);

describe("netascii on the wire", () => {
  it("sends LF as CR LF and CR as CR NUL (RFC 1350 / RFC 764)", async () => {
    const result = await download(served.port, "text.txt", { mode: "netascii" });
    expect(result.data.toString("latin1")).toBe(TEXT_ON_WIRE);
  });

  it("offers no tsize for netascii, since the translated size is not known up front", async () => {
    const result = await download(served.port, "text.txt", {
      mode: "netascii",
      extraOptions: [["tsize", 0]],
    });
    expect(result.oack).toBeUndefined();
  });
});

describe.skipIf(!clients.busybox)(
  `busybox tftp${clients.busybox ? "" : ` (skipped: ${missingReason.busybox})`}`,
  () => {
    const busybox = (...args: string[]) =>
      run("busybox", ["tftp", ...args, "127.0.0.1", String(served.port)], 120_000);

    describe.each(busyboxBlockSizes)("-b %i", (blksize) => {
      it.each(sizes)("gets a %i-byte file byte-exact", async (size) => {
        const target = out(`bb-${blksize}-${size}`);
        const result = await busybox("-g", "-r", `file-${size}.bin`, "-l", target, "-b", String(blksize));
        expect(result.code, result.stderr).toBe(0);
        await expectSame(target, `file-${size}.bin`);
      });
    });

    it("gets a file past block 65535 at 512-byte blocks (rollover) byte-exact", async () => {
      const target = out("bb-rollover");
      const result = await busybox("-g", "-r", "rollover.bin", "-l", target, "-b", "512");
      expect(result.code, result.stderr).toBe(0);
      await expectSame(target, "rollover.bin");
    });

    it("is clamped by blksizeMax: -b 65464 against a 1468 cap is answered 1468 and byte-exact", async () => {
      const capped = await serve({ blksizeMax: 1468 }, served.root);
      try {
        const offered = await download(capped.port, "file-1048576.bin", { blksize: 65464 });
        expect(offered.oack).toEqual([["blksize", "1468"]]);
        const target = out("bb-capped");
        const result = await run("busybox", [
          "tftp",
          "-g",
          "-r",
          "file-1048576.bin",
          "-l",
          target,
          "-b",
          "65464",
          "127.0.0.1",
          String(capped.port),
        ]);
        expect(result.code, result.stderr).toBe(0);
        await expectSame(target, "file-1048576.bin");
      } finally {
        await capped.close();
      }
    });

    it("gets nested paths, with a leading slash and with backslashes", async () => {
      for (const name of ["sub/dir/nested.bin", "/sub/dir/nested.bin", "sub\\dir\\nested.bin"]) {
        const target = out("bb-nested");
        expect((await busybox("-g", "-r", name, "-l", target)).code).toBe(0);
        expect(await readFile(target, "utf8")).toBe("nested");
      }
    });

    it("is told ERROR 1 for a missing file", async () => {
      const result = await busybox("-g", "-r", "no-such-file", "-l", out("bb-missing"));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/server error: \(1\) File not found/);
    });

    it("is refused a traversal with a generic message", async () => {
      const result = await busybox("-g", "-r", "../../../etc/passwd", "-l", out("bb-passwd"));
      expect(result.stderr).toMatch(/server error: \([12]\)/);
      expect(result.stderr).not.toContain(served.root);
    });

    it("uploads byte-exact with writes enabled, leaving no temporary file", async () => {
      const source = out("bb-upload-source");
      const upload = await randomFile(served.work, "bb-upload-source", 300_000);
      const result = await busybox("-p", "-l", source, "-r", "uploads-bb.bin", "-b", "1468");
      expect(result.code, result.stderr).toBe(0);
      expect((await readFile(join(served.root, "uploads-bb.bin"))).equals(upload)).toBe(true);
      expect((await listFiles(served.root)).filter((name) => name.includes("tftp-upload"))).toEqual([]);
    });

    it("is refused an upload with ERROR 2 when writes are disabled, and nothing is created", async () => {
      const readOnly = await serve({}, served.root);
      try {
        const source = out("bb-refused-source");
        await writeFile(source, "data");
        const result = await run("busybox", [
          "tftp",
          "-p",
          "-l",
          source,
          "-r",
          "refused.bin",
          "127.0.0.1",
          String(readOnly.port),
        ]);
        expect(result.stderr).toMatch(/server error: \(2\)/);
        expect(existsSync(join(served.root, "refused.bin"))).toBe(false);
      } finally {
        await readOnly.close();
      }
    });
  },
);
