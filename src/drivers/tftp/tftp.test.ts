import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FailedPreconditionError } from "../../core/errors.ts";
import { findDriverType } from "../../core/registry.ts";
import { exporterConfig, openBoard, WIRES } from "../../testing/open-board.ts";
import "./index.ts";
import { nativeReadLoop } from "../../tftp/native.ts";
import type { TftpServerClient } from "./client.ts";

const run = promisify(execFile);

/** Fetches `remote` with the real busybox client; resolves to the bytes it wrote. */
async function busyboxGet(port: number, remote: string, dir: string): Promise<Buffer> {
  const local = join(dir, `got-${Math.random().toString(16).slice(2)}`);
  await run("busybox", ["tftp", "-g", "-r", remote, "-l", local, "127.0.0.1", String(port)], {
    timeout: 30_000,
  });
  return readFile(local);
}

let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "dutkit-tftp-driver-")));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(WIRES)("Tftp driver (%s)", (wire) => {
  test("files written through storage are served to busybox byte-exact, and removed on close", async () => {
    const root = join(dir, `root-a-${wire}`);
    const board = await openBoard(
      exporterConfig({ tftp: { type: "Tftp", config: { root_dir: root, host: "127.0.0.1", port: 0 } } }),
      wire,
    );
    const tftp: TftpServerClient = board.client.tftp;
    try {
      // Port 0 has no port before start(): the call says to start first, instead of answering 0.
      await expect(tftp.getPort()).rejects.toThrow(
        /TFTP server is not running and its port is 0.*call start\(\) first/,
      );
      await tftp.start();
      await tftp.start();
      const port = await tftp.getPort();
      expect(port).toBeGreaterThan(0);
      expect(await tftp.getHost()).toBe("127.0.0.1");
      const image = randomBytes(200_000);
      await tftp.storage.writeFile("boot/Image", image);
      expect((await busyboxGet(port, "boot/Image", dir)).equals(image)).toBe(true);
      expect((await busyboxGet(port, "/boot/Image", dir)).equals(image)).toBe(true);
      const [first] = await tftp.transfers();
      expect(first).toMatchObject({
        kind: "read",
        filename: "boot/Image",
        outcome: "completed",
        bytes: 200_000,
        // Sent by the native read loop whenever it is built (the default).
        native: nativeReadLoop() !== undefined,
      });
      expect((await tftp.stats()).completedTransfers).toBe(2);
      await tftp.stop();
      await tftp.stop();
      await expect(tftp.getPort()).rejects.toThrow(/call start\(\) first/);
    } finally {
      await board.close();
    }
    expect(await readdir(root)).toEqual([]);
  });

  test("a file that was there before is served and kept", async () => {
    const root = join(dir, `root-b-${wire}`);
    const board = await openBoard(
      exporterConfig({
        tftp: {
          type: "Tftp",
          config: { root_dir: root, host: "127.0.0.1", port: 0, remove_created_on_close: false },
        },
      }),
      wire,
    );
    try {
      await writeFile(join(root, "pxelinux.0"), "pxe");
      await board.client.tftp.start();
      const port = await board.client.tftp.getPort();
      expect((await busyboxGet(port, "pxelinux.0", dir)).toString()).toBe("pxe");
      await board.client.tftp.storage.writeBytes("new", "n");
    } finally {
      await board.close();
    }
    expect((await readdir(root)).sort()).toEqual(["new", "pxelinux.0"]);
  });

  test("without root_dir a temporary root is made and removed on close", async () => {
    const board = await openBoard(
      exporterConfig({ tftp: { type: "Tftp", config: { host: "127.0.0.1", port: 0 } } }),
      wire,
    );
    const root = board.session.driver<any>("tftp.storage").root as string;
    expect((await stat(root)).isDirectory()).toBe(true);
    await board.close();
    await expect(stat(root)).rejects.toMatchObject({ code: "ENOENT" });
  });

  test("a port of its own is answered before start(), as Jumpstarter answers it", async () => {
    const board = await openBoard(
      exporterConfig({ tftp: { type: "Tftp", config: { host: "127.0.0.1", port: 6969 } } }),
      wire,
    );
    try {
      expect(await board.client.tftp.getPort()).toBe(6969);
      await expect(board.client.tftp.getHost()).resolves.toBe("127.0.0.1");
    } finally {
      await board.close();
    }
  });

  test("a port in use makes start() fail with the reason and the way out", async () => {
    const blocker = createSocket("udp4");
    await new Promise<void>((resolve) => blocker.bind(0, "127.0.0.1", resolve));
    const board = await openBoard(
      exporterConfig({ tftp: { type: "Tftp", config: { host: "127.0.0.1", port: blocker.address().port } } }),
      wire,
    );
    try {
      const failure = board.client.tftp.start();
      await expect(failure).rejects.toThrow(FailedPreconditionError);
      await expect(failure).rejects.toThrow(/already in use .*port 0 picks a free one/);
    } finally {
      await board.close();
      await new Promise<void>((resolve) => blocker.close(resolve));
    }
  });
});

describe("Tftp driver config", () => {
  test("config: Jumpstarter's name, defaults, and unknown keys refused", () => {
    const spec = findDriverType("jumpstarter_driver_tftp.driver.Tftp")!;
    expect(spec.id).toBe("Tftp");
    expect(spec.config.parse({})).toMatchObject({
      host: "",
      port: 69,
      remove_created_on_close: true,
      write: false,
    });
    expect(() => spec.config.parse({ root: "/x" })).toThrow();
    expect(() => spec.config.parse({ blksize_max: 7 })).toThrow();
  });
});
