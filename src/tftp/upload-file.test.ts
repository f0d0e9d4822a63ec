import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TftpErrorCode } from "./errors.ts";
import { removeLeftoverUploads, UploadFile } from "./upload-file.ts";

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
    expect((await readdir(directory))[0]).toEqual(
      expect.stringMatching(new RegExp(`^\\.image\\.bin\\.${process.pid}\\.[0-9a-f]{12}\\.tftp-upload$`)),
    );
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

describe("removeLeftoverUploads", () => {
  /** The PID of a process that has exited. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(child, "exit");
    return child.pid!;
  }

  it("removes the upload files of servers that are gone, nothing else, without following links", async () => {
    const dead = await deadPid();
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    try {
      await mkdir(join(directory, "boot/sub"), { recursive: true });
      const outside = await mkdtemp(join(tmpdir(), "dutkit-tftp-outside-"));
      const files = {
        deadTop: `.kernel.${dead}.0123456789ab.tftp-upload`,
        deadNested: `boot/sub/.initrd.${dead}.aaaaaaaaaaaa.tftp-upload`,
        live: `boot/.dtb.${live.pid}.bbbbbbbbbbbb.tftp-upload`,
        oursOld: `.old.${process.pid}.cccccccccccc.tftp-upload`,
        oursNew: `.new.${process.pid}.dddddddddddd.tftp-upload`,
        unrelated: "boot/.kernel.tftp-upload",
      };
      for (const name of Object.values(files)) await writeFile(join(directory, name), "partial");
      // Older than this process: left by an earlier server that had the same PID.
      await utimes(join(directory, files.oursOld), new Date(0), new Date(0));
      await writeFile(join(outside, `.x.${dead}.eeeeeeeeeeee.tftp-upload`), "not ours to touch");
      await symlink(outside, join(directory, "link"));

      const removed = await removeLeftoverUploads(directory);
      expect(removed.map((path) => path.slice(directory.length + 1)).sort()).toEqual(
        [files.deadNested, files.deadTop, files.oursOld].sort(),
      );
      expect((await readdir(join(directory, "boot"))).sort()).toEqual(
        [files.live.slice("boot/".length), ".kernel.tftp-upload", "sub"].sort(),
      );
      expect(await readdir(join(directory, "boot/sub"))).toEqual([]);
      expect(await readdir(outside)).toHaveLength(1);
      await rm(outside, { recursive: true, force: true });
    } finally {
      live.kill("SIGKILL");
    }
  });
});
