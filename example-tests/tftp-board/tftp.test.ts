// Files put through the Tftp driver's storage, fetched by a real TFTP client (busybox). The file
// also passes against Jumpstarter's own exporter (`jmp shell --exporter-config F -- npx vitest run`,
// with a fixed port in F: Jumpstarter's get_port answers the configured port, so 0 cannot work):
// the tests of what only dutkit's server does skip there, saying why.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { boardTest } from "dutkit/vitest";
import { afterAll, beforeAll, expect } from "vitest";

const exec = promisify(execFile);
const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url) });

let downloads: string;
beforeAll(async () => {
  downloads = await mkdtemp(join(tmpdir(), "dutkit-tftp-board-"));
});
afterAll(async () => {
  await rm(downloads, { recursive: true, force: true });
});

/** What `busybox tftp -g` fetched from the board's server. */
async function fetchWithBusybox(
  host: string,
  port: number,
  remote: string,
  blksize?: number,
): Promise<Buffer> {
  const local = join(downloads, remote.replaceAll("/", "_"));
  const size = blksize ? ["-b", String(blksize)] : [];
  await exec("busybox", ["tftp", "-g", ...size, "-r", remote, "-l", local, host, String(port)], {
    timeout: 60_000,
  });
  return readFile(local);
}

const DUTKIT_ONLY_SUBDIRECTORIES =
  "file names with '/' (boot/Image, pxelinux.cfg/default) are dutkit's: Jumpstarter's TFTP server refuses them";
const DUTKIT_ONLY_RECORDS = "transfers() is dutkit's own; this exporter is not dutkit's";

test("a kernel written through storage is fetched byte-exact by busybox", async ({ tftp }) => {
  await tftp.start();
  const kernel = randomBytes(5 * 1024 * 1024 + 123);
  await tftp.storage.writeBytes("Image", kernel);
  const [host, port] = [await tftp.getHost(), await tftp.getPort()];
  expect((await fetchWithBusybox(host, port, "Image")).equals(kernel)).toBe(true);
  expect((await fetchWithBusybox(host, port, "Image", 1468)).equals(kernel)).toBe(true);
});

test("files in subdirectories are served, with or without a leading /", async ({ board, tftp, skip }) => {
  skip(board.implementation !== "dutkit", DUTKIT_ONLY_SUBDIRECTORIES);
  await tftp.start();
  const kernel = randomBytes(1024 * 1024 + 7);
  await tftp.storage.writeFile("boot/Image", kernel);
  const [host, port] = [await tftp.getHost(), await tftp.getPort()];
  expect((await fetchWithBusybox(host, port, "boot/Image")).equals(kernel)).toBe(true);
  expect((await fetchWithBusybox(host, port, "/boot/Image", 1468)).equals(kernel)).toBe(true);
});

test("the server keeps a record of each transfer", async ({ board, tftp, skip }) => {
  skip(board.implementation !== "dutkit", DUTKIT_ONLY_RECORDS);
  await tftp.start();
  const image = randomBytes(300_000);
  await tftp.storage.writeBytes("record.bin", image);
  const [host, port] = [await tftp.getHost(), await tftp.getPort()];
  await fetchWithBusybox(host, port, "record.bin", 1468);
  const transfers: { filename: string; outcome: string; bytes: number; blksize: number | null }[] =
    await tftp.transfers();
  expect(transfers.filter((t) => t.filename === "record.bin")).toMatchObject([
    { outcome: "completed", bytes: image.length, blksize: 1468 },
  ]);
});

test("the storage stats and deletes what the board will see", async ({ tftp }) => {
  await tftp.start();
  await tftp.storage.writeBytes("boot.cfg", "DEFAULT linux\n");
  expect(await tftp.storage.exists("boot.cfg")).toBe(true);
  expect((await tftp.storage.stat("boot.cfg")).content_length).toBe(14);
  const [host, port] = [await tftp.getHost(), await tftp.getPort()];
  expect((await fetchWithBusybox(host, port, "boot.cfg")).toString()).toBe("DEFAULT linux\n");
  await tftp.storage.delete("boot.cfg");
  expect(await tftp.storage.exists("boot.cfg")).toBe(false);
  await expect(fetchWithBusybox(host, port, "boot.cfg")).rejects.toThrow(/not found/i);
});

test("the storage lists a directory the way dutkit's storage lists it", async ({ board, tftp, skip }) => {
  skip(board.implementation !== "dutkit", DUTKIT_ONLY_SUBDIRECTORIES);
  await tftp.start();
  await tftp.storage.writeBytes("pxelinux.cfg/default", "DEFAULT linux\n");
  expect(await tftp.storage.list("pxelinux.cfg")).toEqual(["pxelinux.cfg/default"]);
  const port = await tftp.getPort();
  expect((await fetchWithBusybox("127.0.0.1", port, "pxelinux.cfg/default")).toString()).toBe(
    "DEFAULT linux\n",
  );
  await tftp.storage.delete("pxelinux.cfg/default");
  await expect(fetchWithBusybox("127.0.0.1", port, "pxelinux.cfg/default")).rejects.toThrow(/File not found/);
});
