import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { normalizeRelativePath, PathRefusal, resolveExisting, resolveForWrite } from "./paths.ts";

describe("normalizeRelativePath", () => {
  test.each([
    ["/boot/Image", "boot/Image"],
    ["boot//./Image", "boot/Image"],
    ["\\pxe\\boot.efi", "pxe/boot.efi"],
    ["a/../b", "b"],
    ["/", ""],
  ])("%s → %s", (requested, expected) => {
    expect(normalizeRelativePath(requested)).toBe(expected);
  });

  test.each([
    ["../etc/passwd", "outside"],
    ["a/../../b", "outside"],
    ["..\\x", "outside"],
    ["a\u0000b", "invalid"],
    ["a\nb", "invalid"],
    ["a\u007fb", "invalid"],
  ])("%j is refused (%s)", (requested, kind) => {
    expect(() => normalizeRelativePath(requested)).toThrow(expect.objectContaining({ kind }));
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

  test("a new file may be deep; its existing ancestors must stay inside", async () => {
    expect(await resolveForWrite(root, "new/deep/file")).toBe(join(root, "new", "deep", "file"));
    expect(await resolveForWrite(root, "sub/other")).toBe(join(root, "sub", "other"));
    await expect(resolveForWrite(root, "out-dir/x")).rejects.toMatchObject({ kind: "outside" });
    await expect(resolveForWrite(root, "out-link")).rejects.toMatchObject({ kind: "outside" });
    await expect(resolveForWrite(root, "")).rejects.toMatchObject({ kind: "invalid" });
  });
});
