// Files put through the Tftp driver's storage, fetched by a real TFTP client (busybox).
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

test("a kernel written through storage is fetched byte-exact by busybox", async ({ tftp }) => {
  await tftp.start();
  const kernel = randomBytes(5 * 1024 * 1024 + 123);
  await tftp.storage.writeFile("boot/Image", kernel);
  const [host, port] = [await tftp.getHost(), await tftp.getPort()];
  expect((await fetchWithBusybox(host, port, "boot/Image")).equals(kernel)).toBe(true);
  expect((await fetchWithBusybox(host, port, "/boot/Image", 1468)).equals(kernel)).toBe(true);
  const transfers: { filename: string; outcome: string; bytes: number; blksize: number | null }[] =
    await tftp.transfers();
  expect(transfers.map((t) => [t.filename, t.outcome, t.bytes])).toEqual([
    ["boot/Image", "completed", kernel.length],
    ["/boot/Image", "completed", kernel.length],
  ]);
  expect(transfers[1]?.blksize).toBe(1468);
});

test("the storage lists, stats and deletes what the board will see", async ({ tftp }) => {
  await tftp.start();
  await tftp.storage.writeBytes("pxelinux.cfg/default", "DEFAULT linux\n");
  expect(await tftp.storage.list("pxelinux.cfg")).toEqual(["pxelinux.cfg/default"]);
  expect((await tftp.storage.stat("pxelinux.cfg/default")).content_length).toBe(14);
  const port = await tftp.getPort();
  expect((await fetchWithBusybox("127.0.0.1", port, "pxelinux.cfg/default")).toString()).toBe(
    "DEFAULT linux\n",
  );
  await tftp.storage.delete("pxelinux.cfg/default");
  await expect(fetchWithBusybox("127.0.0.1", port, "pxelinux.cfg/default")).rejects.toThrow(/File not found/);
});
