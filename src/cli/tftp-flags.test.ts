// `dutkit tftp serve` flags beyond --help, each through the real CLI process on 127.0.0.1, port 0,
// with real clients (tftp-hpa) where they can show it and the raw client for the packets.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  ack,
  blockOf,
  describe as describePacket,
  errorOf,
  OP,
  opcodeOf,
  rrq,
} from "../../conformance/tftp/helpers/packets.ts";
import { download, RawClient, upload } from "../../conformance/tftp/helpers/raw-client.ts";
import { type SpawnedCli, spawnCli } from "./__fixtures__/spawn-cli.ts";

const exec = promisify(execFile);

let dir: string;
let root: string;
let running: SpawnedCli | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dutkit-cli-tftp-flags-"));
  root = join(dir, "root");
  await mkdir(root);
});
afterEach(async () => {
  running?.child.kill("SIGKILL");
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Starts `dutkit tftp serve --root <root> --host 127.0.0.1 --port 0 …flags`; resolves to its port and banner. */
async function serve(...flags: string[]): Promise<{ port: number; banner: string }> {
  running = spawnCli(["tftp", "serve", "--root", root, "--host", "127.0.0.1", "--port", "0", ...flags]);
  const [banner, port] = await running.line(
    /^TFTP server listening on 127\.0\.0\.1:(\d+) .*$/m,
    `dutkit tftp serve ${flags.join(" ")} to say where it listens`,
  );
  return { port: Number(port), banner };
}

/** Stops the server with SIGINT and returns its totals line. */
async function stop(): Promise<string> {
  const cli = running!;
  const how = await cli.stop("SIGINT");
  expect(how, `dutkit tftp serve on SIGINT; stderr:\n${cli.output().stderr}`).toBe(0);
  return /^stopped after .*$/m.exec(cli.output().stdout)?.[0] ?? cli.output().stdout;
}

/**
 * Reads a file in lock-step, 512-byte blocks, from a socket bound to `local` (e.g. 127.0.0.2), so
 * the server sees that client address. Bounded: 10 s and 1000 blocks.
 */
async function readFrom(local: string, port: number, filename: string): Promise<string> {
  const socket = createSocket("udp4");
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.bind(0, local, () => resolve()));
  try {
    return await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const timer = setTimeout(
        () => reject(new Error(`no complete read of ${filename} from ${local} within 10 s`)),
        10_000,
      );
      socket.on("message", (packet, from) => {
        if (opcodeOf(packet) === OP.ERROR) {
          clearTimeout(timer);
          const { code, message } = errorOf(packet);
          reject(new Error(`ERROR ${code} "${message}" for ${filename} from ${local}`));
          return;
        }
        if (opcodeOf(packet) !== OP.DATA) return;
        const block = blockOf(packet);
        if (block === chunks.length + 1) chunks.push(packet.subarray(4));
        socket.send(ack(block), from.port, from.address);
        if (chunks.length >= 1000 || (block === chunks.length && packet.length - 4 < 512)) {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks).toString());
        }
      });
      socket.send(rrq(filename), port, "127.0.0.1");
    });
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

describe("dutkit tftp serve, flags through the real CLI", () => {
  test("without --write, a write request gets ERROR 2 (access violation) and nothing lands", async () => {
    const content = randomBytes(2000);
    const readOnly = await serve();
    expect(readOnly.banner).toContain("read-only");
    const refused = await upload(readOnly.port, "refused.bin", content);
    expect(refused.error).toEqual({
      code: 2,
      message: "Access violation: uploads are disabled on this server",
    });
    await expect(stat(join(root, "refused.bin"))).rejects.toMatchObject({ code: "ENOENT" });
    await stop();
  }, 120_000);

  test("--write: a tftp-hpa put lands byte-exact", async () => {
    const content = randomBytes(100_000 + 123);
    const local = join(dir, "upload.bin");
    await writeFile(local, content);
    const writable = await serve("--write", "-v");
    expect(writable.banner).toContain("read-write");
    // tftp-hpa exits 0 even on errors: what counts is the file that landed, and the server's line.
    const put = await exec(
      "tftp",
      ["-m", "binary", "127.0.0.1", String(writable.port), "-c", "put", local, "uploaded.bin"],
      { timeout: 30_000 },
    );
    const [line] = await running!.line(/^write .*$/m, "the verbose line of the upload");
    expect(line, `tftp-hpa said: ${put.stdout}${put.stderr}`).toMatch(/"uploaded\.bin" completed 100123 B/);
    const landed = await readFile(join(root, "uploaded.bin"));
    expect(landed.length).toBe(content.length);
    expect(landed.equals(content)).toBe(true);
    expect(await stop()).toBe("stopped after 1 transfers: 1 completed, 0 failed, 0 aborted");
  }, 120_000);

  test("--per-client-root: 127.0.0.2 gets <root>/127.0.0.2/, 127.0.0.1 falls back to default/, then the root", async () => {
    await mkdir(join(root, "127.0.0.2"));
    await mkdir(join(root, "default"));
    await writeFile(join(root, "127.0.0.2", "boot.cfg"), "for 127.0.0.2");
    await writeFile(join(root, "default", "boot.cfg"), "default");
    await writeFile(join(root, "boot.cfg"), "root");
    await writeFile(join(root, "only-root.cfg"), "only in the root");
    const { port } = await serve("--per-client-root");
    expect(await readFrom("127.0.0.2", port, "boot.cfg")).toBe("for 127.0.0.2");
    expect(await readFrom("127.0.0.1", port, "boot.cfg")).toBe("default");
    expect(await readFrom("127.0.0.2", port, "only-root.cfg")).toBe("only in the root");
    await stop();
  }, 120_000);

  test("--max-transfers 2: a third transfer while two run gets the server's busy ERROR 0", async () => {
    const big = randomBytes(4 * 512 + 7);
    await writeFile(join(root, "big.bin"), big);
    const { port } = await serve("--max-transfers", "2", "-v");
    const holders = [await RawClient.open(), await RawClient.open()];
    const third = await RawClient.open();
    try {
      // Each holder gets its first block and does not ACK it yet: its transfer stays in progress.
      const held: { tid: number; first: Buffer }[] = [];
      for (const holder of holders) {
        holder.send(rrq("big.bin"), port);
        const first = await holder.receive(5000);
        expect(describePacket(first.packet), "the first answer to a holder").toBe("DATA 1 (512 bytes)");
        held.push({ tid: first.port, first: first.packet.subarray(4) });
      }
      third.send(rrq("big.bin"), port);
      const refused = await third.receive(5000);
      expect(describePacket(refused.packet), "the answer to the third request").toBe(
        'ERROR 0 "Server busy: too many transfers in progress, try again later"',
      );
      // The holders finish, each byte-exact; then there is room again.
      for (const [i, holder] of holders.entries()) {
        expect((await finishLockStep(holder, held[i]!.tid, held[i]!.first)).equals(big)).toBe(true);
      }
      // The server prints a transfer's line once it no longer counts it as running.
      await running!.line(/^read .* completed.*\n(?:.*\n)*read .* completed/m, "both held transfers to end");
      const after = await download(port, "big.bin", { deadlineMs: 10_000 });
      expect(after.error).toBeUndefined();
      expect(after.data.equals(big)).toBe(true);
    } finally {
      await Promise.all([...holders, third].map((c) => c.close()));
    }
    expect(await stop()).toBe("stopped after 3 transfers: 3 completed, 0 failed, 0 aborted");
  }, 120_000);

  test("--windowsize-max 4: a read asking windowsize 64 gets an OACK granting 4", async () => {
    const content = randomBytes(20 * 512 + 1);
    await writeFile(join(root, "window.bin"), content);
    const { port } = await serve("--windowsize-max", "4");
    const result = await download(port, "window.bin", { windowsize: 64, deadlineMs: 10_000 });
    expect(result.error).toBeUndefined();
    expect(result.oack).toEqual([["windowsize", "4"]]);
    expect(result.data.equals(content)).toBe(true);
    await stop();
  }, 120_000);

  test("--workers 3 --no-native: transfers run in 3 more threads than --workers 0, byte-exact", async () => {
    const content = randomBytes(300 * 512 + 7);
    await writeFile(join(root, "workers.bin"), content);
    const threads = async (...flags: string[]) => {
      const { port, banner } = await serve("--no-native", ...flags);
      const result = await download(port, "workers.bin", { deadlineMs: 10_000 });
      expect(result.error).toBeUndefined();
      expect(result.data.equals(content)).toBe(true);
      const status = await readFile(`/proc/${running!.child.pid}/status`, "utf8");
      await stop();
      return { banner, count: Number(/^Threads:\s+(\d+)$/m.exec(status)?.[1]) };
    };
    const single = await threads("--workers", "0");
    expect(single.banner).toMatch(/read-only, JavaScript only\); Ctrl-C stops it$/);
    const pooled = await threads("--workers", "3");
    expect(pooled.banner).toMatch(/read-only, JavaScript only, 3 transfer workers\); Ctrl-C stops it$/);
    expect(pooled.count - single.count).toBeGreaterThanOrEqual(3);
  }, 120_000);

  test("--workers must be an integer from 0 to 256", async () => {
    running = spawnCli(["tftp", "serve", "--root", root, "--port", "0", "--workers", "257"]);
    expect(await running.exited).toBe(1);
    expect(running.output().stderr).toContain("--workers must be an integer from 0 to 256.");
  }, 120_000);
});

/**
 * ACKs a held read transfer to its end, from block 1 (which the holder already has); returns the
 * data. Repeats of a block (the server retransmits while the holder waited) are ACKed, not kept.
 */
async function finishLockStep(holder: RawClient, tid: number, first: Buffer): Promise<Buffer> {
  const chunks = [first];
  let payload = first;
  for (let round = 0; round < 100; round++) {
    holder.send(ack(chunks.length), tid);
    if (payload.length < 512) return Buffer.concat(chunks); // the last block, ACKed
    const next = await holder.receive(5000);
    if (next.port !== tid || opcodeOf(next.packet) !== OP.DATA) continue;
    if (blockOf(next.packet) !== chunks.length + 1) continue;
    payload = next.packet.subarray(4);
    chunks.push(payload);
  }
  throw new Error(`the held transfer did not end within 100 rounds (at block ${chunks.length})`);
}
