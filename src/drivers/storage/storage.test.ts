import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { InvalidArgumentError, NotFoundError, UnknownError } from "../../core/errors.ts";
import { registerDriverType } from "../../core/registry.ts";
import { openLocalSession } from "../../exporter/local.ts";
import { exporterConfig, openBoard, type TestBoard, WIRES } from "../../testing/open-board.ts";
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

describe.each(WIRES)("storage (%s)", (wire) => {
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
      mode: { entry_is_file: true, entry_is_dir: false },
    });
    expect((await storage.stat("a")).mode).toEqual({ entry_is_file: false, entry_is_dir: true });
    expect(Object.keys(await storage.stat("a")).sort()).toEqual([
      "content_disposition",
      "content_length",
      "content_md5",
      "content_type",
      "etag",
      "mode",
    ]);
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

  test("a failed upload leaves nothing: no file, no directory, no record, old content kept", async () => {
    await writeFile(join(root, "kept"), "old");
    const failing = () =>
      new Readable({
        read() {
          this.destroy(new Error("local disk went away"));
        },
      });
    const upload = (storage as unknown as { upload(path: string, source: Readable): Promise<void> }).upload;
    await expect(upload.call(storage, "new/dir/half", failing())).rejects.toThrow(/local disk went away/);
    await expect(upload.call(storage, "kept", failing())).rejects.toThrow(/local disk went away/);
    expect(await readdir(root)).toEqual(["kept"]);
    expect(await readFile(join(root, "kept"), "utf8")).toBe("old");
    expect(await storage.createdResources()).toEqual([]);
  });

  test("an upload cut off mid-stream is discarded, also when file_close follows", async () => {
    await writeFile(join(root, "kept"), "old");
    for (const path of ["kept", "fresh/file"]) {
      const fd = await storage.call("open", path, "wb");
      const { handle, stream } = await board.transport.resource(storage.uuid, null);
      const writing = storage.call("file_write", fd, handle);
      writing.catch(() => {});
      // Some bytes arrive, then the client's end goes away without ending its data.
      await new Promise<void>((resolve) => stream.write(randomBytes(256 * 1024), () => resolve()));
      stream.destroy();
      await expect(writing).rejects.toThrow(/closed the resource stream before the end of its data/);
      await expect(storage.call("file_close", fd)).rejects.toThrow(/nothing was written/);
    }
    expect(await readdir(root)).toEqual(["kept"]);
    expect(await readFile(join(root, "kept"), "utf8")).toBe("old");
    expect(await storage.createdResources()).toEqual([]);
  });

  test("open wb then file_close without a finished file_write creates nothing", async () => {
    const fd = await storage.call("open", "nothing/here", "wb");
    await expect(storage.call("file_close", fd)).rejects.toThrow(
      /no file_write ran to its end on this file descriptor; nothing was written/,
    );
    expect(await readdir(root)).toEqual([]);
    expect(await storage.createdResources()).toEqual([]);
  });

  test("file descriptors: seek, tell, closed, readable, seekable, writable", async () => {
    await storage.writeBytes("f", "hello world");
    const fd = await storage.call("open", "f", "rb");
    expect(await storage.call("file_seek", fd, 6, 0)).toBe(6);
    expect(await storage.call("file_tell", fd)).toBe(6);
    const { handle, stream } = await board.transport.resource(storage.uuid, null);
    stream.end();
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    })();
    await storage.call("file_read", fd, handle);
    await reading;
    expect(Buffer.concat(chunks).toString()).toBe("world");
    expect(await storage.call("file_tell", fd)).toBe(11);
    expect(await storage.call("file_seek", fd, 1, 0)).toBe(1);
    expect(await storage.call("file_seek", fd, -3, 2)).toBe(8);
    expect(await storage.call("file_seek", fd, -5, 1)).toBe(3);
    await expect(storage.call("file_seek", fd, -1, 0)).rejects.toThrow(/negative position/);
    await expect(storage.call("file_seek", fd, 0, 7)).rejects.toThrow(/invalid whence/);
    const flags = async (f: unknown) =>
      Promise.all(
        ["file_closed", "file_readable", "file_seekable", "file_writable"].map((m) => storage.call(m, f)),
      );
    expect(await flags(fd)).toEqual([false, true, true, false]);
    const wfd = await storage.call("open", "g", "wb");
    expect(await flags(wfd)).toEqual([false, false, false, true]);
    await expect(storage.call("file_tell", wfd)).rejects.toThrow(/opened "wb"; only files opened "rb"/);
    await storage.call("file_close", fd);
    await storage.call("file_close", fd);
    expect(await flags(fd)).toEqual([true, false, false, false]);
    await expect(storage.call("file_tell", fd)).rejects.toThrow(/is closed; open the file again/);
    await expect(storage.call("file_closed", "no-such-fd")).rejects.toThrow(NotFoundError);
    await storage.call("file_close", wfd).catch(() => {});
  });

  test("handles: unknown and presigned ones are refused with the reason", async () => {
    const fd = await storage.call("open", "h", "wb");
    await expect(
      storage.call("file_write", fd, { kind: "client_stream", uuid: "0000", x_jmp_content_encoding: null }),
    ).rejects.toThrow(/no open resource stream 0000/);
    await expect(
      storage.call("file_write", fd, {
        kind: "presigned_request",
        headers: {},
        url: "http://x/",
        method: "GET",
      }),
    ).rejects.toThrow(/presigned request handles .* are not supported/);
    await expect(storage.call("file_write", fd, "nonsense")).rejects.toThrow(InvalidArgumentError);
    await storage.call("file_close", fd).catch(() => {});
  });

  test("capability is OpenDAL's for fs without append; presign is refused as for fs", async () => {
    const capability = (await storage.call("capability")) as Record<string, unknown>;
    expect(capability).toMatchObject({ read: true, write: true, presign: false, presign_read: false });
    expect(Object.keys(capability)).toHaveLength(33);
    await expect(storage.call("presign_read", "f", 60)).rejects.toThrow(
      /Unsupported \(permanent\) at presign => operation is not supported/,
    );
    await expect(storage.call("presign_write", "f", 60)).rejects.toThrow(UnknownError);
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

test.each(WIRES)("remove_created_on_close false keeps the files (%s)", async (wire) => {
  const root = await freshRoot();
  const board = await openBoard(
    exporterConfig({ storage: { type: "StorageTestHost", config: { root, remove: false } } }),
    wire,
  );
  await board.client.storage.writeBytes("f", "x");
  await board.close();
  expect(await readdir(root)).toEqual(["f"]);
});

// In-process only: the stream is opened on the Session itself, with no client or wire involved.
test("a resource stream no call took is dropped when the session closes", async () => {
  const root = await freshRoot();
  const session = await openLocalSession(
    exporterConfig({ storage: { type: "StorageTestHost", config: { root, remove: true } } }),
  );
  const uuid = session.driver("storage").uuid;
  const { stream } = await session.resource(uuid, "gzip");
  const failed = new Promise<Error>((resolve) => stream.on("error", resolve));
  await session.close();
  expect((await failed).message).toMatch(/the driver closed before a call used this resource stream/);
});
