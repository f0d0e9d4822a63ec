import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  isInside,
  normalizeRelativePath,
  PathRefusal,
  realPathInside,
  resolveExisting,
  resolveForWrite,
} from "./paths.ts";

// One table for every server using the sandbox (TFTP, HTTP, Storage); their own tests check only
// how they answer each refusal kind (src/tftp/paths.test.ts, src/http/server.test.ts, storage).

describe("normalizeRelativePath", () => {
  test.each([
    ["/boot/Image", "boot/Image"],
    ["boot//./Image", "boot/Image"],
    ["\\pxe\\boot.efi", "pxe/boot.efi"],
    ["a/../b", "b"],
    ["/", ""],
    ["file.bin", "file.bin"],
    ["//boot///./pxelinux.0", "boot/pxelinux.0"],
    ["boot\\grub\\grub.cfg", "boot/grub/grub.cfg"],
    ["a/b/../c", "a/c"],
    ["\\\\server\\share", "server/share"],
    ["a/..", ""],
  ])("%s → %s", (requested, expected) => {
    expect(normalizeRelativePath(requested)).toBe(expected);
  });

  test.each([
    ["../etc/passwd", "outside"],
    ["a/../../b", "outside"],
    ["..\\x", "outside"],
    ["/../etc/passwd", "outside"],
    ["..\\..\\windows", "outside"],
    ["a\u0000b", "invalid"],
    ["a\nb", "invalid"],
    ["a\u007fb", "invalid"],
    ["a\u0001b", "invalid"],
    ["tab\tname", "invalid"],
  ])("%j is refused (%s) with a message naming no path", (requested, kind) => {
    expect(() => normalizeRelativePath(requested)).toThrow(expect.objectContaining({ kind }));
    expect(() => normalizeRelativePath(requested)).not.toThrow(/\//);
  });
});

describe("isInside", () => {
  test.each([
    ["/srv/root", "/srv/root", true],
    ["/srv/root", "/srv/root/a/b", true],
    ["/srv/root/", "/srv/root/a", true],
    ["/srv/root", "/srv/rootless/a", false],
    ["/srv/root", "/srv", false],
  ])("%s holds %s: %s", (root, path, inside) => {
    expect(isInside(root, path)).toBe(inside);
  });
});

describe("resolving under a root", () => {
  let base: string;
  let root: string;
  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), "dutkit-paths-")));
    root = join(base, "root");
    await mkdir(join(root, "sub"), { recursive: true });
    await writeFile(join(root, "sub", "file"), "x");
    await writeFile(join(base, "secret"), "s");
    await symlink(join(base, "secret"), join(root, "out-link"));
    await symlink(base, join(root, "out-dir"));
    await symlink(join(root, "sub", "file"), join(root, "in-link"));
    await symlink(join(root, "loop"), join(root, "loop"));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test("an existing file, also through a symlink inside the root", async () => {
    expect(await resolveExisting(root, "sub/file")).toBe(join(root, "sub", "file"));
    expect(await resolveExisting(root, "in-link")).toBe(join(root, "sub", "file"));
  });

  test("a missing file is not-found; symlinks leading out are refused", async () => {
    await expect(resolveExisting(root, "nope")).rejects.toMatchObject({ kind: "not-found" });
    await expect(resolveExisting(root, "out-link")).rejects.toMatchObject({ kind: "outside" });
    await expect(resolveExisting(root, "out-dir/secret")).rejects.toBeInstanceOf(PathRefusal);
  });

  test("an absolute path as TFTP joins its search directories, bounded by the root given", async () => {
    expect(await realPathInside(root, join(root, "sub", "file"))).toBe(join(root, "sub", "file"));
    await expect(realPathInside(join(root, "sub"), join(root, "in-link"))).resolves.toBe(
      join(root, "sub", "file"),
    );
    await expect(realPathInside(join(root, "sub"), join(root, "out-link"))).rejects.toMatchObject({
      kind: "outside",
    });
    await expect(realPathInside(root, join(root, "sub", "file", "x"))).rejects.toMatchObject({
      kind: "not-found",
    });
  });

  test("a failure other than a missing entry is not a refusal: it is thrown as it is", async () => {
    const failure = await resolveExisting(root, "loop").catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(PathRefusal);
    expect(failure).toMatchObject({ code: "ELOOP" });
  });

  test("a new file may be deep; its existing ancestors must stay inside", async () => {
    expect(await resolveForWrite(root, "new/deep/file")).toBe(join(root, "new", "deep", "file"));
    expect(await resolveForWrite(root, "sub/other")).toBe(join(root, "sub", "other"));
    await expect(resolveForWrite(root, "out-dir/x")).rejects.toMatchObject({ kind: "outside" });
    await expect(resolveForWrite(root, "out-link")).rejects.toMatchObject({ kind: "outside" });
    await expect(resolveForWrite(root, "")).rejects.toMatchObject({ kind: "invalid" });
  });
});
