import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { buildClientTree } from "../../client/tree.ts";
import { InvalidArgumentError, NotFoundError } from "../../core/errors.ts";
import { registerDriverType } from "../../core/registry.ts";
import { openLocalSession } from "../../exporter/local.ts";
import { exporterConfig, openBoard, type TestBoard, type Wire } from "./__fixtures__/board.ts";
import { Storage, type StorageClient } from "./index.ts";

registerDriverType({
  id: "StorageTestHost",
  summary: "a bare storage driver for tests",
  config: z.strictObject({ root: z.string(), remove: z.boolean() }),
  create: (config, { init }) =>
    Storage.create({ root: config.root, removeCreatedOnClose: config.remove, init }),
});

let base: string;
beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "dutkit-storage-")));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let count = 0;
async function freshRoot(): Promise<string> {
  const root = join(base, `root${++count}`);
  await mkdir(root);
  return root;
}

describe.each<Wire>(["in-process", "grpc"])("storage (%s)", (wire) => {
  let root: string;
  let board: TestBoard;
  let storage: StorageClient;
  beforeEach(async () => {
    root = await freshRoot();
    board = await openBoard(
      exporterConfig({ storage: { type: "StorageTestHost", config: { root, remove: true } } }),
      wire,
    );
    storage = board.client.storage;
  });
  afterEach(async () => {
    await board.close();
  });

  test("writes bytes, text and local files byte-exact; reads them back", async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await storage.writeFile("boot/Image", big);
    expect((await readFile(join(root, "boot", "Image"))).equals(big)).toBe(true);
    expect((await storage.readBytes("/boot/Image")).equals(big)).toBe(true);
    await storage.writeBytes("cmdline.txt", "console=ttyS0\n");
    expect(await readFile(join(root, "cmdline.txt"), "utf8")).toBe("console=ttyS0\n");
    const local = join(base, `local-${wire}`);
    await writeFile(local, big.subarray(0, 1000));
    await storage.writeFile("dtb/board.dtb", local);
    await storage.readIntoPath("dtb/board.dtb", `${local}.copy`);
    expect((await readFile(`${local}.copy`)).equals(big.subarray(0, 1000))).toBe(true);
    await storage.writeBytes("empty", new Uint8Array());
    expect(await storage.readBytes("empty")).toEqual(Buffer.alloc(0));
  });

  test("stat, exists, hash, list and scan", async () => {
    await storage.writeBytes("a/b/c.txt", "hello");
    await storage.createDir("d");
    expect(await storage.stat("a/b/c.txt")).toMatchObject({
      content_length: 5,
      content_type: "text/plain; charset=utf-8",
      mode: { is_file: true, is_dir: false },
    });
    expect((await storage.stat("a")).mode).toEqual({ is_file: false, is_dir: true });
    expect([await storage.exists("a/b/c.txt"), await storage.exists("nope")]).toEqual([true, false]);
    expect(await storage.hash("a/b/c.txt")).toBe(
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    );
    expect(await storage.hash("a/b/c.txt", "md5")).toBe("5d41402abc4b2a76b9719d911017c592");
    expect((await storage.list()).sort()).toEqual(["a/", "d/"]);
    expect(await storage.list("a/b")).toEqual(["a/b/c.txt"]);
    expect((await storage.scan()).sort()).toEqual(["a/", "a/b/", "a/b/c.txt", "d/"]);
  });

  test("delete, copy, rename, remove_all", async () => {
    await storage.writeBytes("x", "1");
    await storage.copy("x", "y");
    await storage.rename("y", "sub/z");
    expect(await readFile(join(root, "sub", "z"), "utf8")).toBe("1");
    await storage.delete("x");
    await storage.delete("x");
    expect(await storage.exists("x")).toBe(false);
    await expect(storage.delete("sub")).rejects.toThrow(/not empty; use remove_all/);
    await storage.removeAll("sub");
    expect(await readdir(root)).toEqual([]);
  });

  test("paths outside the root are refused with the reason", async () => {
    await symlink(base, join(root, "escape"));
    await expect(storage.writeBytes("../x", "no")).rejects.toThrow(InvalidArgumentError);
    await expect(storage.writeBytes("escape/x", "no")).rejects.toThrow(/outside the storage root/);
    await expect(storage.readBytes("escape/root1")).rejects.toThrow(/outside the storage root/);
    await expect(storage.writeBytes("a\u0000b", "no")).rejects.toThrow(/control character/);
    await expect(storage.readBytes("missing")).rejects.toThrow(NotFoundError);
    await expect(storage.stat("missing")).rejects.toThrow(/no such file/);
  });

  test("a failed upload leaves no file", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("local disk went away"));
      },
    });
    const upload = (storage as unknown as { upload(path: string, source: Readable): Promise<void> }).upload;
    await expect(upload.call(storage, "half", failing)).rejects.toThrow(/upload/);
    expect(await readdir(root)).toEqual([]);
  });

  test("what it created is removed on close; what was there stays", async () => {
    await writeFile(join(root, "kept"), "old");
    await storage.writeBytes("kept", "new");
    await storage.writeBytes("deep/dir/file", "x");
    await storage.createDir("made");
    expect((await storage.createdResources()).sort()).toEqual(["deep", "deep/dir", "deep/dir/file", "made"]);
    await board.close();
    expect(await readdir(root)).toEqual(["kept"]);
    expect(await readFile(join(root, "kept"), "utf8")).toBe("new");
    board = await openBoard(
      exporterConfig({ storage: { type: "StorageTestHost", config: { root, remove: true } } }),
      wire,
    );
  });
});

test("remove_created_on_close false keeps the files", async () => {
  const root = await freshRoot();
  const session = await openLocalSession(
    exporterConfig({ storage: { type: "StorageTestHost", config: { root, remove: false } } }),
  );
  const client = buildClientTree(await session.report(), session) as any;
  await client.storage.writeBytes("f", "x");
  await session.close();
  expect(await readdir(root)).toEqual(["f"]);
});

test("a byte stream without the fd header is refused with what to send", async () => {
  const root = await freshRoot();
  const storage = await Storage.create({ root, removeCreatedOnClose: true });
  const stream = storage.file_write_stream();
  const failed = new Promise<Error>((resolve) => stream.on("error", resolve));
  stream.end(Buffer.alloc(200, 0x41));
  expect((await failed).message).toMatch(/start with the file descriptor from open\(\)/);
  await storage.close();
});
