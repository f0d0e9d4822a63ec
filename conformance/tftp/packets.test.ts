/** Packet-level behaviour, driven by a raw UDP client on loopback. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TransferEndEvent } from "../../src/tftp/index.ts";
import { bytes, eventually, type Served, serve, writeFiles } from "./helpers/fixtures.ts";
import {
  ack,
  blockOf,
  data,
  error,
  errorOf,
  OP,
  type OptionList,
  oackOf,
  opcodeOf,
  rrq,
  describe as show,
  wrq,
} from "./helpers/packets.ts";
import { RawClient, type Received } from "./helpers/raw-client.ts";

const FILE = bytes(200_000);
const SMALL = bytes(10 * 512 + 100, 3);
let served: Served;
let client: RawClient;
const ended: TransferEndEvent[] = [];

beforeAll(async () => {
  // Slow retransmits: any extra packet seen within a test comes from packet handling, not timers.
  served = await serve({ timeoutMs: 5000, minTimeoutMs: 5000, windowsizeMax: 16, write: { enabled: true } });
  served.server.on("transferEnd", (event) => ended.push(event));
  await writeFiles(served.root, { "f.bin": FILE, "small.bin": SMALL, "empty.bin": "" });
});
afterAll(() => served.close());
beforeEach(async () => {
  client = await RawClient.open();
});
afterEach(() => client.close());

/** The server's record of the next transfer of this test's client to end, within 10 s. */
function nextEnd(): Promise<TransferEndEvent> {
  const port = client.port;
  const end = new Promise<TransferEndEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      served.server.off("transferEnd", onEnd);
      reject(new Error("the server reported no transfer end within 10 s"));
    }, 10_000);
    const onEnd = (event: TransferEndEvent) => {
      if (event.client.port !== port) return;
      clearTimeout(timer);
      served.server.off("transferEnd", onEnd);
      resolve(event);
    };
    served.server.on("transferEnd", onEnd);
  });
  end.catch(() => {}); // awaited by the test
  return end;
}

async function ask(options: OptionList, filename = "f.bin"): Promise<Received> {
  client.send(rrq(filename, options), served.port);
  return client.receive();
}

/** Ends a transfer from the client side so it does not linger. */
function abandon(reply: Received): void {
  client.send(error(0, "test done"), reply.port);
}

function expectOpcode(reply: Received, opcode: number): void {
  expect(opcodeOf(reply.packet), show(reply.packet)).toBe(opcode);
}

describe("option negotiation", () => {
  it.each([
    ["blksize 7 is ignored", [["blksize", 7]], undefined, 512],
    ["blksize 8", [["blksize", 8]], [["blksize", "8"]], 8],
    ["blksize 65464", [["blksize", 65464]], [["blksize", "65464"]], 65464],
    ["blksize 65465 answered 65464", [["blksize", 65465]], [["blksize", "65464"]], 65464],
    ["timeout 0 is ignored", [["timeout", 0]], undefined, 512],
    ["timeout 1", [["timeout", 1]], [["timeout", "1"]], 512],
    ["timeout 255", [["timeout", 255]], [["timeout", "255"]], 512],
    ["timeout 256 is ignored", [["timeout", 256]], undefined, 512],
    ["tsize 0 answered with the size", [["tsize", 0]], [["tsize", String(FILE.length)]], 512],
    ["windowsize 0 is ignored", [["windowsize", 0]], undefined, 512],
    ["windowsize 1", [["windowsize", 1]], [["windowsize", "1"]], 512],
    ["windowsize 16", [["windowsize", 16]], [["windowsize", "16"]], 512],
    ["windowsize 65535 capped", [["windowsize", 65535]], [["windowsize", "16"]], 512],
    [
      "duplicates: first wins",
      [
        ["BLKSIZE", 1024],
        ["blksize", 2048],
      ],
      [["BLKSIZE", "1024"]],
      1024,
    ],
    [
      "mixed case echoed as sent",
      [
        ["BlkSize", 1468],
        ["TSIZE", 0],
      ],
      [
        ["BlkSize", "1468"],
        ["TSIZE", "200000"],
      ],
      1468,
    ],
    [
      "unknown options are ignored",
      [
        ["multicast", ""],
        ["utimeout", 5000],
      ],
      undefined,
      512,
    ],
  ] as [string, OptionList, [string, string][] | undefined, number][])(
    "%s",
    async (_, options, oack, blksize) => {
      let reply = await ask(options);
      if (oack === undefined) {
        expectOpcode(reply, OP.DATA);
      } else {
        expectOpcode(reply, OP.OACK);
        expect(oackOf(reply.packet)).toEqual(oack);
        client.send(ack(0), reply.port);
        reply = await client.receive();
        expectOpcode(reply, OP.DATA);
      }
      expect(blockOf(reply.packet)).toBe(1);
      expect(reply.packet.length - 4).toBe(blksize);
      abandon(reply);
    },
  );

  it("answers U-Boot's request exactly: timeout echoed, blksize not larger, windowsize capped", async () => {
    const reply = await ask([
      ["timeout", 5],
      ["tsize", 0],
      ["blksize", 1468],
      ["windowsize", 32],
    ]);
    expect(oackOf(reply.packet)).toEqual([
      ["timeout", "5"],
      ["tsize", "200000"],
      ["blksize", "1468"],
      ["windowsize", "16"],
    ]);
    abandon(reply);
  });

  it("sends no OACK for an empty file asked with tsize only, then one empty block", async () => {
    const reply = await ask([["tsize", 0]], "empty.bin");
    expectOpcode(reply, OP.DATA);
    expect(reply.packet.length).toBe(4);
    client.send(ack(1), reply.port);
  });

  it("ends quietly when the client refuses the OACK, and serves its next request (UEFI size probe)", async () => {
    const oack = await ask([["tsize", 0]]);
    expect(oackOf(oack.packet)).toEqual([["tsize", "200000"]]);
    const probes = served.server.stats().sizeProbes;
    const probeEnd = nextEnd();
    client.send(error(8, "tsize probe"), oack.port);
    expect(await probeEnd).toMatchObject({ outcome: "size-probe", retransmits: 0 });
    expect(served.server.stats().sizeProbes).toBe(probes + 1);
    // Anything the probe's port sent in answer left before its end: it would arrive first.
    const data = await ask([["blksize", 1024]]);
    expectOpcode(data, OP.OACK);
    expect(oackOf(data.packet)).toEqual([["blksize", "1024"]]);
    expect(data.port).not.toBe(oack.port);
    abandon(data);
  });
});

describe("sending", () => {
  it("restarts the window after the last block the client acknowledged", async () => {
    const oack = await ask([["windowsize", 4]], "small.bin");
    client.send(ack(0), oack.port);
    const first = await client.receiveSeveral(4);
    expect(first.map((r) => blockOf(r.packet))).toEqual([1, 2, 3, 4]);
    client.send(ack(1), oack.port); // block 2 "lost"
    const again = await client.receiveSeveral(4);
    expect(again.map((r) => blockOf(r.packet))).toEqual([2, 3, 4, 5]);
    client.send(ack(5), oack.port);
    client.send(ack(5), oack.port); // duplicate: no second window
    const next = await client.receiveSeveral(4);
    expect(next.map((r) => blockOf(r.packet))).toEqual([6, 7, 8, 9]);
    client.send(ack(9), oack.port);
    // A second window for the duplicate would have left before the answer to ACK 9.
    const tail = await client.receiveSeveral(2);
    expect(tail.map((r) => [blockOf(r.packet), r.packet.length - 4])).toEqual([
      [10, 512],
      [11, 100],
    ]);
    client.send(ack(11), oack.port);
  });

  it("stops the window at the last block of the file", async () => {
    const oack = await ask([["windowsize", 16]], "small.bin");
    client.send(ack(0), oack.port);
    const window = await client.receiveSeveral(11);
    expect(window.map((r) => blockOf(r.packet))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(window.at(-1)!.packet.length - 4).toBe(100);
    // Nothing past the short block: no empty blocks to round the window up. ACK 10 makes the
    // server send block 11 again; anything sent past the short block would arrive before it.
    client.send(ack(10), oack.port);
    expect(show((await client.receive()).packet)).toBe("DATA 11 (100 bytes)");
    client.send(ack(11), oack.port);
  });

  it("does not answer duplicate ACKs (no Sorcerer's Apprentice)", async () => {
    const first = await ask([], "small.bin");
    for (let i = 0; i < 3; i++) client.send(ack(1), first.port);
    client.send(ack(2), first.port);
    // Answers to the duplicates would have left before the answer to ACK 2.
    const replies = await client.receiveSeveral(2);
    expect(replies.map((r) => show(r.packet))).toEqual(["DATA 2 (512 bytes)", "DATA 3 (512 bytes)"]);
    abandon(first);
  });

  it("answers a stranger with ERROR 5 and carries on with the client", async () => {
    const strangersBefore = served.server.stats().strangerPackets;
    const stranger = await RawClient.open();
    try {
      let reply = await ask([], "small.bin");
      stranger.send(ack(1), reply.port);
      const rebuff = await stranger.receive();
      expect(rebuff.port).toBe(reply.port);
      expect(errorOf(rebuff.packet).code).toBe(5);
      const received: Buffer[] = [];
      for (let block = 1; block <= 11; block++) {
        expect(blockOf(reply.packet)).toBe(block);
        received.push(reply.packet.subarray(4));
        client.send(ack(block), reply.port);
        if (block < 11) reply = await client.receive();
      }
      expect(Buffer.concat(received).equals(SMALL)).toBe(true);
      expect(served.server.stats().strangerPackets).toBe(strangersBefore + 1);
    } finally {
      await stranger.close();
    }
  });
});

describe("malformed packets", () => {
  it.each([
    ["a 1-byte packet", Buffer.from([1])],
    ["a request without NUL after the mode", Buffer.from("\0\x01f.bin\0octet", "latin1")],
    ["a request without NUL after the filename", Buffer.from("\0\x01f.bin", "latin1")],
    ["an unknown opcode", Buffer.from([0, 9, 0x66, 0, 0x6f, 0])],
    ["DATA on the server port", data(1, Buffer.from("x"))],
    ["ACK on the server port", ack(1)],
    ["an oversize request", rrq("x".repeat(600))],
  ])("answers %s with ERROR 4", async (_, packet) => {
    client.send(packet, served.port);
    const reply = await client.receive();
    expectOpcode(reply, OP.ERROR);
    expect(errorOf(reply.packet).code).toBe(4);
  });

  it("never answers an ERROR", async () => {
    client.send(error(0, "hello"), served.port);
    client.send(rrq("small.bin"), served.port);
    // The server port reads in order: an answer to the ERROR would arrive before this DATA 1.
    const reply = await client.receive();
    expect(show(reply.packet)).toBe("DATA 1 (512 bytes)");
    abandon(reply);
  });

  it("refuses an unknown mode and mail mode with ERROR 4", async () => {
    for (const mode of ["mail", "binary"]) {
      client.send(rrq("f.bin", [], mode), served.port);
      const reply = await client.receive();
      expect(errorOf(reply.packet).code).toBe(4);
      expect(errorOf(reply.packet).message).toMatch(/use octet or netascii/);
    }
  });

  it("ends a read with ERROR 4 when the client sends a short packet", async () => {
    const first = await ask([], "small.bin");
    client.send(Buffer.from([0, 4]), first.port);
    const reply = await client.receive();
    expect(errorOf(reply.packet).code).toBe(4);
    await eventually(() => ended.some((e) => e.error?.message.includes("shorter than 4 bytes")));
  });

  it("ends a read with ERROR 4 when the client sends DATA", async () => {
    const first = await ask([], "small.bin");
    client.send(data(1, Buffer.from("x")), first.port);
    expect(errorOf((await client.receive()).packet).code).toBe(4);
  });

  it("ends a write with ERROR 4 on a DATA block larger than blksize", async () => {
    client.send(wrq("oversize.bin"), served.port);
    const first = await client.receive();
    expectOpcode(first, OP.ACK);
    client.send(data(1, Buffer.alloc(600)), first.port);
    expect(errorOf((await client.receive()).packet).code).toBe(4);
  });
});
