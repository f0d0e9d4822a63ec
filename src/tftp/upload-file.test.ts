import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TftpErrorCode } from "./errors.ts";
import { UploadFile } from "./upload-file.ts";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "dutkit-tftp-upload-"));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

function append(upload: UploadFile, bytes: Buffer): void {
  bytes.copy(upload.target, upload.offset);
  upload.advance(bytes.length);
}

describe("UploadFile", () => {
  it("writes into a temporary file and renames it into place at the end", async () => {
    const upload = await UploadFile.create(directory, "image.bin", false, 512);
    append(upload, Buffer.from("hello"));
    expect(await readdir(directory)).toHaveLength(1);
    expect((await readdir(directory))[0]).toMatch(/^\.image\.bin\.[0-9a-f]+\.tftp-upload$/);
    await upload.finish();
    expect(await readdir(directory)).toEqual(["image.bin"]);
    expect(await readFile(join(directory, "image.bin"), "utf8")).toBe("hello");
  });

  it("spills full buffers to disk while receiving continues", async () => {
    const upload = await UploadFile.create(directory, "big.bin", false, 65_464);
    const block = Buffer.alloc(65_464, 0xab);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        if (upload.ensureRoom(block.length, resolve)) resolve();
      });
      append(upload, block);
    }
    await upload.finish();
    expect((await readFile(join(directory, "big.bin"))).length).toBe(20 * 65_464);
  });

  it("leaves nothing behind when discarded", async () => {
    const upload = await UploadFile.create(directory, "aborted.bin", false, 512);
    append(upload, Buffer.from("partial"));
    await upload.discard();
    expect(await readdir(directory)).toEqual([]);
  });

  it("refuses an existing file unless overwriting is allowed", async () => {
    await writeFile(join(directory, "exists.bin"), "old");
    await expect(UploadFile.create(directory, "exists.bin", false, 512)).rejects.toMatchObject({
      tftpCode: TftpErrorCode.FileExists,
    });
    const upload = await UploadFile.create(directory, "exists.bin", true, 512);
    append(upload, Buffer.from("new"));
    await upload.finish();
    expect(await readFile(join(directory, "exists.bin"), "utf8")).toBe("new");
  });

  it("does not replace a file that appeared during the upload", async () => {
    const upload = await UploadFile.create(directory, "race.bin", false, 512);
    await writeFile(join(directory, "race.bin"), "first");
    await expect(upload.finish()).rejects.toMatchObject({ tftpCode: TftpErrorCode.FileExists });
    expect(await readFile(join(directory, "race.bin"), "utf8")).toBe("first");
    expect(await readdir(directory)).toEqual(["race.bin"]);
  });

  it("refuses to write through a symlink", async () => {
    await symlink("/etc/hostname", join(directory, "link"));
    await expect(UploadFile.create(directory, "link", true, 512)).rejects.toMatchObject({
      tftpCode: TftpErrorCode.AccessViolation,
    });
  });
});
