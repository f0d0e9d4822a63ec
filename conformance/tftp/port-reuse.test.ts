/**
 * A client that keeps its port for request after request (U-Boot, PXE loaders, scripted
 * clients) is served at once, while a retransmitted request of a transfer still sending stays a
 * duplicate. Raw UDP on loopback against a real server, with and without transfer workers.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bytes, type Served, serve } from "./helpers/fixtures.ts";
import { ack, blockOf, OP, opcodeOf, rrq } from "./helpers/packets.ts";
import { RawClient } from "./helpers/raw-client.ts";

const ONE_BLOCK = bytes(100);
const THREE_BLOCKS = bytes(3 * 512 + 7);
const REQUESTS = 300;
/** Far above a loopback round trip; a request the server dropped is never answered at all. */
const ANSWER_BOUND_MS = 500;

/** Waits, bounded, until `ready()` holds; the error names what was awaited. */
async function until(ready: () => boolean, what: string, boundMs = 3000): Promise<void> {
  const rounds = boundMs / 5;
  for (let round = 0; round < rounds && !ready(); round++) await new Promise((r) => setTimeout(r, 5));
  if (!ready()) throw new Error(`not within ${boundMs} ms: ${what}`);
}

/** Until the server took the one repeated request for a duplicate or for a new transfer. */
function decided(served: Served): Promise<void> {
  const { server } = served;
  return until(
    () => server.stats().duplicateRequests + server.stats().startedTransfers === 2,
    "the server's decision on the repeated request: ignored, or a new transfer",
  );
}

describe.each([
  ["in the server's thread", {}],
  ["in a transfer worker", { workers: 1 }],
])("a client reusing its port, transfers %s", (_where, options) => {
  let served: Served;
  let client: RawClient;

  beforeEach(async () => {
    served = await serve(options);
    await writeFile(join(served.root, "one.bin"), ONE_BLOCK);
    await writeFile(join(served.root, "three.bin"), THREE_BLOCKS);
    client = await RawClient.open();
  });

  afterEach(async () => {
    await client.close();
    await served.close();
  });

  // Each request goes out once, right after the final ACK of the previous transfer, as a
  // client does that fetches file after file. Before, the server took it for a repeat of the
  // transfer that ACK was ending and dropped it: the client would have paid a retransmit timeout.
  // The bound covers every request going unanswered, so that a failure reports them all.
  const bound = REQUESTS * ANSWER_BOUND_MS + 30_000;
  it(`answers ${REQUESTS} back-to-back requests from one port, each at its first sending`, {
    timeout: bound,
  }, async () => {
    const unanswered: number[] = [];
    for (let request = 1; request <= REQUESTS; request++) {
      client.send(rrq("one.bin"), served.port);
      const answer = await client
        .receive(ANSWER_BOUND_MS, `DATA 1 for request ${request}`)
        .catch(() => undefined);
      if (!answer) {
        unanswered.push(request);
        continue;
      }
      expect(opcodeOf(answer.packet)).toBe(OP.DATA);
      expect(answer.packet.subarray(4).equals(ONE_BLOCK)).toBe(true);
      client.send(ack(1), answer.port);
    }
    expect(
      unanswered,
      `${unanswered.length} of ${REQUESTS} requests without DATA 1 within ${ANSWER_BOUND_MS} ms`,
    ).toEqual([]);
    await until(
      () => served.server.stats().completedTransfers === REQUESTS,
      `${REQUESTS} completed transfers`,
    );
    expect(served.server.stats().startedTransfers).toBe(REQUESTS);
    expect(served.server.stats().duplicateRequests).toBe(0);
  });

  it("ignores a retransmitted request while its transfer is still sending", async () => {
    client.send(rrq("three.bin"), served.port);
    let reply = await client.receive(3000, "DATA 1");
    expect(blockOf(reply.packet)).toBe(1);
    const transferPort = reply.port;
    client.send(rrq("three.bin"), served.port);
    await decided(served);
    expect(served.server.stats().startedTransfers, "transfers started").toBe(1);
    for (let block = 1; block <= 4; block++) {
      expect(reply.port, "every packet from the first transfer's port").toBe(transferPort);
      expect(blockOf(reply.packet)).toBe(block);
      client.send(ack(block), transferPort);
      if (block < 4) reply = await client.receive(3000, `DATA ${block + 1}`);
    }
    await until(() => served.server.stats().completedTransfers === 1, "the transfer completed");
    expect(served.server.stats().startedTransfers).toBe(1);
  });

  it("ignores a retransmitted request while the only block waits for its ACK", async () => {
    client.send(rrq("one.bin"), served.port);
    const reply = await client.receive(3000, "DATA 1");
    client.send(rrq("one.bin"), served.port);
    await decided(served);
    expect(served.server.stats().startedTransfers, "transfers started").toBe(1);
    client.send(ack(1), reply.port);
    await until(() => served.server.stats().completedTransfers === 1, "the transfer completed");
    expect(served.server.stats().startedTransfers).toBe(1);
  });
});
