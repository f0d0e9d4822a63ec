/** Server features: the onRead hook, events and totals, writes, limits, lifecycle, IPv6. */
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ReadHook,
  TftpErrorCode,
  TftpRefusal,
  TftpServer,
  type TransferEndEvent,
  type TransferStartEvent,
} from "../../src/tftp/index.ts";
import {
  bytes,
  engine,
  eventually,
  type Served,
  serve,
  tempDirectory,
  writeFiles,
} from "./helpers/fixtures.ts";
import { ack, blockOf, data, error, errorOf, OP, opcodeOf, rrq, wrq } from "./helpers/packets.ts";
import { portsBelow1024AreOpen, startUnprivileged } from "./helpers/privilege.ts";
import { download, RawClient, upload } from "./helpers/raw-client.ts";

const open: Served[] = [];
async function start(options: Parameters<typeof serve>[0] = {}, root?: string): Promise<Served> {
  const served = await serve(options, root);
  open.push(served);
  return served;
}
afterEach(async () => {
  for (const served of open.splice(0)) await served.close();
});

describe("onRead hook", () => {
  const hookServer = (onRead: ReadHook, onReadTimeoutMs = 5000) => start({ onRead, onReadTimeoutMs });

  it("serves bytes it returns, with tsize", async () => {
    const content = bytes(3000);
    const { port } = await hookServer(() => content);
    const result = await download(port, "anything", { extraOptions: [["tsize", 0]] });
    expect(result.oack).toEqual([["tsize", "3000"]]);
    expect(result.data.equals(content)).toBe(true);
  });

  it("serves a stream of known size with tsize, and of unknown size without", async () => {
    const content = bytes(70_000);
    const chunks = () => Readable.from([content.subarray(0, 1000), content.subarray(1000)]);
    const known = await hookServer(() => ({ stream: chunks(), size: content.length }));
    const withSize = await download(known.port, "s", { extraOptions: [["tsize", 0]] });
    expect(withSize.oack).toEqual([["tsize", "70000"]]);
    expect(withSize.data.equals(content)).toBe(true);
    const unknown = await hookServer(() => chunks());
    const withoutSize = await download(unknown.port, "s", { blksize: 1024, extraOptions: [["tsize", 0]] });
    expect(withoutSize.oack).toEqual([["blksize", "1024"]]);
    expect(withoutSize.data.equals(content)).toBe(true);
  });

  it("serves a path it returns, and falls through to the root when it returns nothing", async () => {
    const served = await hookServer(({ filename }) => (filename === "alias" ? "real.bin" : undefined));
    await writeFiles(served.root, { "real.bin": "real", "plain.bin": "plain" });
    expect((await download(served.port, "alias")).data.toString()).toBe("real");
    expect((await download(served.port, "plain.bin")).data.toString()).toBe("plain");
  });

  it("gets the normalised filename, the client and the requested options", async () => {
    const seen: unknown[] = [];
    const { port } = await hookServer((context) => {
      seen.push(context);
      return new Uint8Array(0);
    });
    await download(port, "\\boot\\.\\grub.cfg", { blksize: 1024, extraOptions: [["TSize", 0]] });
    expect(seen).toEqual([
      {
        filename: "boot/grub.cfg",
        mode: "octet",
        client: { address: "127.0.0.1", port: expect.any(Number), family: "IPv4" },
        options: { blksize: "1024", tsize: "0" },
      },
    ]);
  });

  it("is never asked about a traversal", async () => {
    let calls = 0;
    const { port } = await hookServer(() => {
      calls++;
      return undefined;
    });
    expect((await download(port, "../secret")).error?.code).toBe(2);
    expect(calls).toBe(0);
  });

  it("turns an error into ERROR 0 with its message, and a TftpRefusal into its code", async () => {
    const failing = await hookServer(() => {
      throw new Error("firmware image not built yet");
    });
    expect((await download(failing.port, "x")).error).toEqual({
      code: 0,
      message: "firmware image not built yet",
    });
    const refusing = await hookServer(async () => {
      throw new TftpRefusal(TftpErrorCode.FileNotFound, "No image for this board");
    });
    expect((await download(refusing.port, "x")).error).toEqual({
      code: 1,
      message: "No image for this board",
    });
  });

  it("gives up on a hook that does not answer in time", async () => {
    const { port } = await hookServer(() => new Promise(() => {}), 50);
    expect((await download(port, "x")).error).toEqual({
      code: 0,
      message: "onRead hook did not answer within 50 ms",
    });
  });

  it("fails the transfer with ERROR 0 when a stream is shorter than announced", async () => {
    const { port } = await hookServer(() => ({ stream: Readable.from([bytes(100)]), size: 5000 }));
    const result = await download(port, "x");
    expect(result.error?.code).toBe(0);
    expect(result.error?.message).toMatch(/ended after 100 of its declared 5000 bytes/);
  });
});

describe("events and totals", () => {
  it("reports the start and end of each transfer and keeps totals", async () => {
    const served = await start();
    await writeFiles(served.root, { "f.bin": bytes(5000) });
    const starts: TransferStartEvent[] = [];
    const ends: TransferEndEvent[] = [];
    served.server.on("transferStart", (event) => starts.push(event));
    served.server.on("transferEnd", (event) => ends.push(event));
    await download(served.port, "f.bin", { blksize: 1024, extraOptions: [["tsize", 0]] });
    await download(served.port, "missing.bin");
    await eventually(() => ends.length === 2);
    expect(starts.map((s) => s.filename)).toEqual(["f.bin", "missing.bin"]);
    // A transfer ends when the server has its last ACK, which may come after the next refusal.
    const [found, missing] = ["f.bin", "missing.bin"].map((name) => ends.find((e) => e.filename === name));
    expect(found).toMatchObject({
      kind: "read",
      filename: "f.bin",
      outcome: "completed",
      bytes: 5000,
      blocks: 5,
      retransmits: 0,
      options: { blksize: 1024, windowsize: 1, tsize: 5000 },
      requestedOptions: { blksize: "1024", tsize: "0" },
    });
    expect(found!.durationMs).toBeGreaterThan(0);
    expect(found!.error).toBeUndefined();
    expect(missing).toMatchObject({
      outcome: "failed",
      error: { code: "ERR_TFTP_FILE_NOT_FOUND", tftpCode: 1, message: "File not found" },
    });
    expect(served.server.stats()).toMatchObject({
      activeTransfers: 0,
      startedTransfers: 2,
      completedTransfers: 1,
      failedTransfers: 1,
      bytesSent: 5000,
      // The engine under test sent the file (the missing one never reached a transfer).
      nativeTransfers: engine.nativeReads ? 1 : 0,
    });
  });
});

describe("timeouts", () => {
  const quickTimeouts = { retries: 2, timeoutMs: 40, minTimeoutMs: 10 } as const;

  async function startRead(options: Parameters<typeof serve>[0]) {
    const served = await start(options);
    await writeFiles(served.root, { "f.bin": bytes(2000) });
    const ends: TransferEndEvent[] = [];
    served.server.on("transferEnd", (event) => ends.push(event));
    const client = await RawClient.open();
    client.send(rrq("f.bin"), served.port);
    return { ends, client };
  }

  it("sends a block again when its ACK does not come, then gives up with ERROR 0", async () => {
    const { ends, client } = await startRead(quickTimeouts);
    try {
      const packets = (await client.receiveSeveral(4)).map((received) => received.packet);
      expect(packets.slice(0, 3).map((packet) => [opcodeOf(packet), blockOf(packet)])).toEqual([
        [OP.DATA, 1],
        [OP.DATA, 1],
        [OP.DATA, 1],
      ]);
      expect(errorOf(packets[3]!)).toEqual({ code: 0, message: "Transfer timed out after 2 retries" });
      await eventually(() => ends.length === 1);
      expect(ends[0]).toMatchObject({ outcome: "failed", retransmits: 2, blocks: 0 });
    } finally {
      await client.close();
    }
  });

  it("ends a read whose client went away (ICMP port unreachable) without waiting for every retry", async () => {
    const { ends, client } = await startRead({ ...quickTimeouts, retries: 50 });
    await client.receive();
    await client.close();
    await eventually(() => ends.length === 1);
    expect(ends[0]).toMatchObject({
      outcome: "aborted",
      error: { message: "Client port unreachable: the client went away" },
    });
    expect(ends[0]!.retransmits).toBeLessThan(50);
  });
});

describe("writes", () => {
  it("stores an upload in windows and reports the bytes received", async () => {
    const served = await start({ write: { enabled: true } });
    const content = bytes(100_000);
    const result = await upload(served.port, "up.bin", content, { blksize: 1024, windowsize: 8 });
    expect(result.error).toBeUndefined();
    expect(result.oack).toEqual([
      ["blksize", "1024"],
      ["windowsize", "8"],
    ]);
    expect((await readFile(join(served.root, "up.bin"))).equals(content)).toBe(true);
    await eventually(() => served.server.stats().bytesReceived === 100_000);
  });

  it("refuses to overwrite unless allowed (ERROR 6)", async () => {
    const served = await start({ write: { enabled: true } });
    await writeFiles(served.root, { "exists.bin": "old" });
    expect((await upload(served.port, "exists.bin", Buffer.from("new"))).error?.code).toBe(6);
    const overwriting = await start({ write: { enabled: true, overwrite: true } }, served.root);
    expect((await upload(overwriting.port, "exists.bin", Buffer.from("new"))).error).toBeUndefined();
    expect(await readFile(join(served.root, "exists.bin"), "utf8")).toBe("new");
  });

  it("refuses a tsize above the limit up front and an upload growing past it (ERROR 3)", async () => {
    const served = await start({ write: { enabled: true, maxBytes: 4000 } });
    const announced = await upload(served.port, "big.bin", bytes(10), { extraOptions: [["tsize", 5000]] });
    expect(announced.error).toMatchObject({ code: 3 });
    const growing = await upload(served.port, "big.bin", bytes(6000));
    expect(growing.error).toMatchObject({ code: 3, message: "Upload exceeds the limit of 4000 bytes" });
    await eventually(async () => (await readdir(served.root)).length === 0);
  });

  it("repeats the final ACK to a client that missed it and sends its last block again", async () => {
    // Our adaptive timeout falls to 20 ms on loopback; the client's own is much longer.
    const served = await start({ write: { enabled: true }, timeoutMs: 1000, minTimeoutMs: 20 });
    const client = await RawClient.open();
    const witness = await RawClient.open();
    try {
      client.send(wrq("again.bin"), served.port);
      const first = await client.receive();
      client.send(data(1, bytes(512)), first.port);
      expect(opcodeOf((await client.receive()).packet)).toBe(OP.ACK);
      const last = data(2, bytes(10));
      client.send(last, first.port);
      expect((await client.receive()).packet).toEqual(ack(2));
      // "Lost": the client repeats its block after its own retransmit interval. A second upload
      // left unanswered shows when that has passed: the server repeats its ACK 0 after the
      // initial timeout, which is what a client's interval is taken to be.
      witness.send(wrq("witness.bin"), served.port);
      const witnessAck = await witness.receive(3000, "ACK 0 to the witness upload");
      expect(witnessAck.packet).toEqual(ack(0));
      const repeated = await witness.receive(5000, "the server's own retransmit of ACK 0 to the witness");
      expect([repeated.port, repeated.packet]).toEqual([witnessAck.port, ack(0)]);
      client.send(last, first.port);
      const again = await client.receive(3000, "ACK 2 again from the lingering upload port");
      expect(again.packet).toEqual(ack(2));
      witness.send(error(0, "test done"), witnessAck.port);
      expect(await readFile(join(served.root, "again.bin"))).toEqual(Buffer.concat([bytes(512), bytes(10)]));
    } finally {
      await witness.close();
      await client.close();
    }
  });

  it("leaves nothing behind when the client stops half-way", async () => {
    const served = await start({ write: { enabled: true }, timeoutMs: 30, minTimeoutMs: 10, retries: 1 });
    const client = await RawClient.open();
    try {
      client.send(wrq("half.bin"), served.port);
      const first = await client.receive();
      client.send(data(1, bytes(512)), first.port);
      expect(opcodeOf((await client.receive()).packet)).toBe(OP.ACK);
      await eventually(() => served.server.stats().failedTransfers === 1);
      await eventually(async () => (await readdir(served.root)).length === 0);
    } finally {
      await client.close();
    }
  });

  it("writes into the client's own directory with per-client roots", async () => {
    const served = await start({ write: { enabled: true }, perClientRoot: true });
    await mkdir(join(served.root, "127.0.0.1"));
    await upload(served.port, "mine.bin", Buffer.from("mine"));
    expect(await readFile(join(served.root, "127.0.0.1", "mine.bin"), "utf8")).toBe("mine");
  });
});

describe("lookup", () => {
  it("serves <root>/<client-ip>/ first, then <root>/default/, then <root>/", async () => {
    const served = await start({ perClientRoot: true });
    await writeFiles(served.root, {
      "127.0.0.1/a.cfg": "client",
      "default/a.cfg": "default",
      "a.cfg": "root",
      "default/b.cfg": "default",
      "c.cfg": "root",
    });
    const text = async (name: string) => (await download(served.port, name)).data.toString();
    expect([await text("a.cfg"), await text("b.cfg"), await text("c.cfg")]).toEqual([
      "client",
      "default",
      "root",
    ]);
  });

  it("refuses a symlink leading outside the root with a generic ERROR 2", async () => {
    const served = await start();
    const outside = await tempDirectory("outside");
    try {
      await writeFile(join(outside, "secret"), "secret");
      await symlink(join(outside, "secret"), join(served.root, "link"));
      const result = await download(served.port, "link");
      expect(result.error?.code).toBe(2);
      expect(result.error?.message).not.toContain(outside);
      expect(result.error?.message).not.toContain(served.root);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("refuses a directory with ERROR 2", async () => {
    const served = await start();
    await mkdir(join(served.root, "dir"));
    expect((await download(served.port, "dir")).error).toEqual({
      code: 2,
      message: "Access violation: not a regular file",
    });
  });
});

describe("limits and lifecycle", () => {
  it("refuses requests beyond maxTransfers with ERROR 0", async () => {
    const served = await start({ maxTransfers: 1, timeoutMs: 5000 });
    await writeFiles(served.root, { "f.bin": bytes(2000) });
    const holder = await RawClient.open();
    const second = await RawClient.open();
    try {
      holder.send(rrq("f.bin"), served.port);
      const first = await holder.receive();
      second.send(rrq("f.bin"), served.port);
      const busy = await second.receive();
      expect(errorOf(busy.packet)).toEqual({
        code: 0,
        message: "Server busy: too many transfers in progress, try again later",
      });
      expect(served.server.stats().busyRejections).toBe(1);
      holder.send(ack(1), first.port);
    } finally {
      await holder.close();
      await second.close();
    }
  });

  it("serves over IPv6", async () => {
    const served = await start({ host: "::1" });
    await writeFiles(served.root, { "six.bin": bytes(1500) });
    expect(served.server.address()).toMatchObject({ host: "::1", family: "IPv6" });
    const result = await download(served.port, "six.bin", { host: "::1", blksize: 1024 });
    expect(result.data.equals(bytes(1500))).toBe(true);
  });

  it("rejects start() with ERR_TFTP_ADDRESS_IN_USE when the port is taken", async () => {
    const served = await start();
    const second = new TftpServer({ root: served.root, host: "127.0.0.1", port: served.port });
    await expect(second.start()).rejects.toMatchObject({
      code: "ERR_TFTP_ADDRESS_IN_USE",
      message: expect.stringContaining("port 0 picks a free one"),
    });
  });

  it.skipIf(portsBelow1024AreOpen)(
    "rejects start() on port 69 without privilege, saying how to grant it",
    async () => {
      const error = await startUnprivileged(69);
      expect(error).toMatchObject({
        code: "ERR_TFTP_PORT_PRIVILEGED",
        message: expect.stringContaining("sudo setcap cap_net_bind_service=+ep $(which node)"),
      });
      expect(error.message).toContain("port >= 1024");
    },
  );

  it("rejects start() when the root does not exist", async () => {
    const server = new TftpServer({ root: "/nonexistent/tftp-root", port: 0 });
    await expect(server.start()).rejects.toMatchObject({ code: "ERR_TFTP_ROOT_NOT_FOUND" });
  });

  it("stop() aborts transfers, tells the client, and closes every socket", async () => {
    const root = await tempDirectory("stop");
    const server = new TftpServer({ root, host: "127.0.0.1", port: 0, timeoutMs: 5000, ...engine });
    await writeFiles(root, { "f.bin": bytes(5000) });
    await server.start();
    const client = await RawClient.open();
    try {
      client.send(rrq("f.bin"), server.address().port);
      const first = await client.receive();
      await server.stop();
      expect(errorOf((await client.receive()).packet)).toEqual({ code: 0, message: "Server shutting down" });
      expect(server.stats().abortedTransfers).toBe(1);
      // The transfer port is closed: binding it again works.
      const probe = createSocket("udp4");
      await new Promise<void>((resolve, reject) => {
        probe.once("error", reject);
        probe.bind(first.port, "127.0.0.1", () => resolve());
      });
      probe.close();
      expect(() => server.address()).toThrow(expect.objectContaining({ code: "ERR_TFTP_NOT_RUNNING" }));
      expect(existsSync(root)).toBe(true);
    } finally {
      await client.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
