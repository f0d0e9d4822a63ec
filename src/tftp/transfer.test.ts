/**
 * Timer and socket-error handling of a transfer, with real sockets on loopback: a client socket
 * in this process plays the peer, so event-loop stalls can be produced on purpose.
 */
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { BusyPoller } from "./busy-poll.ts";
import { TransferChannel } from "./channel.ts";
import { BytesContentReader } from "./content.ts";
import { ReadTransfer } from "./read-transfer.ts";
import { RetransmitTimeout } from "./retransmit.ts";
import type { TransferSummary } from "./transfer.ts";

const opened: (Socket | TransferChannel)[] = [];
afterEach(async () => {
  for (const item of opened.splice(0)) {
    if (item instanceof TransferChannel) await item.close();
    else await new Promise<void>((resolve) => item.close(() => resolve()));
  }
});

async function clientSocket(): Promise<Socket> {
  const socket = createSocket("udp4");
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  opened.push(socket);
  return socket;
}

/** A read transfer of `content` at 512-byte blocks to `client`, with a 20 ms retransmit timeout. */
async function readTransfer(client: Socket, content: Buffer, retries = 3) {
  const channel = await TransferChannel.open(
    "udp4",
    "127.0.0.1",
    "127.0.0.1",
    client.address().port,
    () => {},
  );
  opened.push(channel);
  let resolveEnd: (summary: TransferSummary) => void = () => {};
  const ended = new Promise<TransferSummary>((resolve) => {
    resolveEnd = resolve;
  });
  const transfer = new ReadTransfer(
    channel,
    {
      retries,
      timeout: new RetransmitTimeout({ initialMs: 20, minMs: 20, maxMs: 20 }),
      poller: new BusyPoller(0, () => 1),
      onEnd: resolveEnd,
    },
    new BytesContentReader(content),
    { blksize: 512, windowsize: 1, oack: [] },
  );
  return { transfer, ended };
}

function ack(block: number): Buffer {
  return Buffer.from([0, 4, block >> 8, block & 0xff]);
}

function blockOf(packet: Buffer): number {
  return packet.readUInt16BE(2);
}

describe("Transfer timers", () => {
  it("reads an answer that arrived during a stall before counting the timeout", async () => {
    const client = await clientSocket();
    const { transfer, ended } = await readTransfer(client, Buffer.alloc(100, 7));
    const seen: number[] = [];
    client.on("message", (packet, from) => {
      seen.push(blockOf(packet));
      client.send(ack(blockOf(packet)), from.port, from.address);
      // Block the whole process well past the 20 ms timeout, as a GC pause or a busy machine would.
      const until = performance.now() + 120;
      while (performance.now() < until) {}
    });
    transfer.start();
    const summary = await ended;
    expect(summary).toMatchObject({ outcome: "completed", bytes: 100, blocks: 1, retransmits: 0 });
    expect(seen).toEqual([1]);
  });

  it("treats port unreachable as a hint: a final ACK waiting behind it still completes", async () => {
    const client = await clientSocket();
    const { transfer, ended } = await readTransfer(client, Buffer.alloc(700, 1));
    client.on("message", (packet, from) => {
      const block = blockOf(packet);
      if (block === 2)
        transfer.handleSocketError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }));
      client.send(ack(block), from.port, from.address);
    });
    transfer.start();
    expect(await ended).toMatchObject({ outcome: "completed", bytes: 700, blocks: 2 });
  });

  it("ends a transfer whose client port stays unreachable at the next timeout, without resending", async () => {
    const client = await clientSocket();
    const { transfer, ended } = await readTransfer(client, Buffer.alloc(2000, 1), 10);
    let data = 0;
    client.on("message", () => {
      data++;
      transfer.handleSocketError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }));
    });
    transfer.start();
    const summary = await ended;
    expect(summary).toMatchObject({
      outcome: "aborted",
      retransmits: 0,
      error: { message: "Client port unreachable: the client went away" },
    });
    expect(data).toBe(1);
  });

  it("gives up after its retries with ERROR 0 and says so", async () => {
    const client = await clientSocket();
    const { transfer, ended } = await readTransfer(client, Buffer.alloc(2000, 1), 2);
    const packets: Buffer[] = [];
    client.on("message", (packet) => packets.push(packet));
    transfer.start();
    const summary = await ended;
    expect(summary).toMatchObject({
      outcome: "failed",
      retransmits: 2,
      error: { tftpCode: 0, message: "Transfer timed out after 2 retries" },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(packets.map((p) => p.readUInt16BE(0))).toEqual([3, 3, 3, 5]);
  });
});
