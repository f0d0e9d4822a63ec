import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TftpErrorCode, type TftpRefusal } from "./errors.ts";
import {
  clientDirectoryName,
  normalizeRequestPath,
  resolveReadPath,
  resolveWriteDirectory,
  searchDirectories,
  uploadDirectories,
} from "./paths.ts";

async function refusalOf(promise: Promise<unknown>): Promise<TftpRefusal> {
  return promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: TftpRefusal) => error,
  );
}

describe("normalizeRequestPath", () => {
  it.each([
    ["file.bin", "file.bin"],
    ["/file.bin", "file.bin"],
    ["//boot///./pxelinux.0", "boot/pxelinux.0"],
    ["boot\\grub\\grub.cfg", "boot/grub/grub.cfg"],
    ["a/b/../c", "a/c"],
    ["\\\\server\\share", "server/share"],
  ])("%s becomes %s", (requested, expected) => {
    expect(normalizeRequestPath(requested)).toBe(expected);
  });

  it.each(["../etc/passwd", "/../etc/passwd", "a/../../b", "..\\..\\windows", "a/.."])(
    "refuses %s with ERROR 2 (or 1 for nothing left) and a generic message",
    (requested) => {
      let refusal: TftpRefusal | undefined;
      try {
        normalizeRequestPath(requested);
      } catch (error) {
        refusal = error as TftpRefusal;
      }
      expect([TftpErrorCode.AccessViolation, TftpErrorCode.FileNotFound]).toContain(refusal?.tftpCode);
      expect(refusal?.message).not.toContain("/");
    },
  );

  it.each(["a\u0001b", "tab\tname", "del\u007f", "new\nline"])(
    "refuses control characters in %j",
    (requested) => {
      expect(() => normalizeRequestPath(requested)).toThrow(expect.objectContaining({ tftpCode: 2 }));
    },
  );
});

describe("clientDirectoryName", () => {
  it.each([
    ["192.0.2.7", "192.0.2.7"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["2001:DB8::1", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
  ])("%s is %s", (address, name) => {
    expect(clientDirectoryName(address)).toBe(name);
  });
});

describe("resolving under a root", () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), "dutkit-tftp-paths-")));
    root = join(base, "root");
    await mkdir(join(root, "192.0.2.7"), { recursive: true });
    await mkdir(join(root, "default"));
    await mkdir(join(root, "sub"));
    await writeFile(join(base, "secret"), "outside");
    await writeFile(join(root, "shared.cfg"), "root");
    await writeFile(join(root, "default", "shared.cfg"), "default");
    await writeFile(join(root, "192.0.2.7", "shared.cfg"), "client");
    await writeFile(join(root, "default", "only-default"), "default");
    await writeFile(join(root, "sub", "file"), "sub");
    await symlink(join(root, "sub", "file"), join(root, "inside-link"));
    await symlink(join(base, "secret"), join(root, "outside-link"));
    await symlink(base, join(root, "outside-dir"));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it("finds a file and follows symlinks that stay inside", async () => {
    expect(await resolveReadPath(root, [root], "sub/file")).toBe(join(root, "sub", "file"));
    expect(await resolveReadPath(root, [root], "inside-link")).toBe(join(root, "sub", "file"));
  });

  it("refuses symlinks that lead outside, without naming server paths", async () => {
    for (const name of ["outside-link", "outside-dir/secret"]) {
      const refusal = await refusalOf(resolveReadPath(root, [root], name));
      expect(refusal.tftpCode).toBe(TftpErrorCode.AccessViolation);
      expect(refusal.message).not.toContain(base);
    }
  });

  it("answers ERROR 1 for a missing file", async () => {
    expect((await refusalOf(resolveReadPath(root, [root], "missing"))).tftpCode).toBe(
      TftpErrorCode.FileNotFound,
    );
    expect((await refusalOf(resolveReadPath(root, [root], "sub/file/x"))).tftpCode).toBe(
      TftpErrorCode.FileNotFound,
    );
  });

  it("searches the client's directory, then default, then the root", async () => {
    const client = searchDirectories(root, "::ffff:192.0.2.7", true);
    expect(await resolveReadPath(root, client, "shared.cfg")).toBe(join(root, "192.0.2.7", "shared.cfg"));
    const stranger = searchDirectories(root, "198.51.100.1", true);
    expect(await resolveReadPath(root, stranger, "shared.cfg")).toBe(join(root, "default", "shared.cfg"));
    expect(await resolveReadPath(root, stranger, "sub/file")).toBe(join(root, "sub", "file"));
    expect(await resolveReadPath(root, client, "only-default")).toBe(join(root, "default", "only-default"));
    expect(searchDirectories(root, "192.0.2.7", false)).toEqual([root]);
  });

  it("puts uploads in the client's directory when it exists, else the root", async () => {
    const client = uploadDirectories(root, "192.0.2.7", true);
    expect(await resolveWriteDirectory(root, client, "new.bin")).toEqual({
      directory: join(root, "192.0.2.7"),
      name: "new.bin",
    });
    const stranger = uploadDirectories(root, "198.51.100.1", true);
    expect(await resolveWriteDirectory(root, stranger, "sub/new.bin")).toEqual({
      directory: join(root, "sub"),
      name: "new.bin",
    });
  });

  it("refuses uploads into missing directories and through outside symlinks", async () => {
    expect((await refusalOf(resolveWriteDirectory(root, [root], "nodir/x"))).tftpCode).toBe(2);
    expect((await refusalOf(resolveWriteDirectory(root, [root], "outside-dir/x"))).tftpCode).toBe(2);
  });
});
