/** The raw test client's own limits: a peer that stops answering must not hold a test longer. */
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { ack, OP, opcodeOf } from "./helpers/packets.ts";
import { upload } from "./helpers/raw-client.ts";

const peers: Socket[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) await new Promise<void>((resolve) => peer.close(() => resolve()));
});

/** A UDP peer on loopback that answers a write request `answers` times with ACK 0, then never. */
async function stallingPeer(answers: number): Promise<{ port: number; requests: () => number }> {
  const peer = createSocket("udp4");
  peers.push(peer);
  let requests = 0;
  peer.on("message", (packet, from) => {
    if (opcodeOf(packet) !== OP.WRQ) return;
    requests++;
    if (requests <= answers) peer.send(ack(0), from.port, from.address);
  });
  await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", () => resolve()));
  return { port: peer.address().port, requests: () => requests };
}

describe("upload() honours deadlineMs", () => {
  // Without the deadline, 20 requests 200 ms apart would take 4 s and end "no answer".
  it("rejects when nobody answers the write request", async () => {
    const peer = await stallingPeer(0);
    await expect(
      upload(peer.port, "x.bin", Buffer.alloc(100), { retransmitMs: 200, deadlineMs: 500 }),
    ).rejects.toThrow("upload of x.bin not done within 500 ms");
    expect(peer.requests()).toBeGreaterThan(0);
  });

  // Without it, the data rounds (4 per block + 20, 100 ms each) would end in a resolved result.
  it("rejects when the peer stops answering after ACK 0", async () => {
    const peer = await stallingPeer(1);
    await expect(
      upload(peer.port, "y.bin", Buffer.alloc(3 * 512), { retransmitMs: 100, deadlineMs: 600 }),
    ).rejects.toThrow("upload of y.bin not done within 600 ms");
    expect(peer.requests()).toBe(1);
  });
});
