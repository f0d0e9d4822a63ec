// A `dutkit tftp serve --write` killed with SIGKILL in the middle of an upload leaves its
// temporary file; the next server on that root removes it when it starts, and says so.
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { type SpawnedCli, spawnCli } from "./__fixtures__/spawn-cli.ts";

let root: string;
const running: SpawnedCli[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "dutkit-tftp-leftovers-"));
});
afterEach(async () => {
  for (const cli of running.splice(0)) await cli.stop("SIGKILL").catch(() => {});
  await rm(root, { recursive: true, force: true });
});

async function serve(): Promise<{ cli: SpawnedCli; port: number }> {
  const cli = spawnCli(["tftp", "serve", "--root", root, "--host", "127.0.0.1", "--port", "0", "--write"]);
  running.push(cli);
  const [, port] = await cli.line(/^TFTP server listening on 127\.0\.0\.1:(\d+) /m, "the server to listen");
  return { cli, port: Number(port) };
}

/** Sends a WRQ and the first 512-byte block, and waits (bounded) for ACK 1: the upload is under way. */
async function startUpload(port: number): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  try {
    const timeout = AbortSignal.timeout(10_000);
    const ack = async (block: number) => {
      for (let i = 0; i < 100; i++) {
        const [packet, from] = (await once(socket, "message", { signal: timeout }).catch(() => {
          throw new Error(`no ACK ${block} from the server within 10 s`);
        })) as [Buffer, { port: number }];
        if (packet.readUInt16BE(0) === 4 && packet.readUInt16BE(2) === block) return from.port;
      }
      throw new Error(`100 packets without ACK ${block}`);
    };
    socket.send(Buffer.from("\u0000\u0002kernel.img\u0000octet\u0000", "latin1"), port, "127.0.0.1");
    const transferPort = await ack(0);
    const data = Buffer.alloc(516, 7);
    data.writeUInt16BE(3, 0);
    data.writeUInt16BE(1, 2);
    socket.send(data, transferPort, "127.0.0.1");
    await ack(1);
  } finally {
    socket.close();
  }
}

test("the temporary file of an upload cut off by SIGKILL is removed by the next server's start", {
  timeout: 120_000,
}, async () => {
  const first = await serve();
  await startUpload(first.port);
  const [temporary] = await readdir(root);
  expect(temporary).toMatch(
    new RegExp(`^\\.kernel\\.img\\.${first.cli.child.pid}\\.[0-9a-f]{12}\\.tftp-upload$`),
  );
  expect(await first.cli.stop("SIGKILL")).toBe("SIGKILL");
  expect(await readdir(root)).toEqual([temporary]);

  const second = await serve();
  expect(second.cli.output().stdout).toContain(
    `removed 1 temporary file(s) of uploads a killed server left in ${root}`,
  );
  expect(await readdir(root)).toEqual([]);
});
