/**
 * Windows across the block-number rollover (65535 -> 0, RFC 7440 with RFC 1350 numbering):
 * blksize 8 keeps a file of more than 65536 blocks small. The suite runs once per engine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TransferEndEvent } from "../../src/tftp/index.ts";
import { bytes, engine, type Served, serve, writeFiles } from "./helpers/fixtures.ts";
import { download } from "./helpers/raw-client.ts";

const BLKSIZE = 8;
/** 65536 full blocks, 100 more, and a short one: block 65536 goes out as block 0. */
const FILE = bytes(BLKSIZE * (65_536 + 100) + 3, 21);
const BLOCKS = Math.floor(FILE.length / BLKSIZE) + 1;
/** Windows of 7 end at block 65534, so the next window holds 65535, 0, 1, ... 5. */
const WINDOW = 7;
const STRADDLING = 65_535;

let served: Served;

beforeAll(async () => {
  served = await serve();
  await writeFiles(served.root, { "rollover.bin": FILE });
});
afterAll(() => served.close());

/** The server's record of the next transfer to finish; the client is done before the server. */
function nextEnd(): Promise<TransferEndEvent> {
  const end = new Promise<TransferEndEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      served.server.off("transferEnd", onEnd);
      reject(new Error("the server reported no finished transfer within 10 s"));
    }, 10_000);
    const onEnd = (event: TransferEndEvent) => {
      clearTimeout(timer);
      resolve(event);
    };
    served.server.once("transferEnd", onEnd);
  });
  end.catch(() => {}); // awaited by the test; a failed download must not leave it unhandled
  return end;
}

describe(`windows across block 65535 -> 0 (${engine.nativeReads ? "native" : "JavaScript"} engine)`, () => {
  it("a window over the rollover delivers the file byte-exact", async () => {
    const end = nextEnd();
    const result = await download(served.port, "rollover.bin", {
      blksize: BLKSIZE,
      windowsize: WINDOW,
      deadlineMs: 30_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.oack).toEqual([
      ["blksize", String(BLKSIZE)],
      ["windowsize", String(WINDOW)],
    ]);
    expect(result.data.length).toBe(FILE.length);
    expect(result.data.equals(FILE)).toBe(true);
    expect(result.arrivals).toContain(0);
    expect(await end).toMatchObject({
      filename: "rollover.bin",
      outcome: "completed",
      bytes: FILE.length,
      blocks: BLOCKS,
      options: { blksize: BLKSIZE, windowsize: WINDOW },
    });
  });

  it("a block lost inside the straddling window: the server restarts after the client's ACK 65535", async () => {
    const end = nextEnd();
    const result = await download(served.port, "rollover.bin", {
      blksize: BLKSIZE,
      windowsize: WINDOW,
      deadlineMs: 30_000,
      dropOnce: [65_536],
    });
    expect(result.error).toBeUndefined();
    expect(result.data.equals(FILE)).toBe(true);
    // Block 0 came again, lost once, first in the window the server restarted after 65535.
    const resent = result.arrivals.indexOf(0, result.arrivals.indexOf(0) + 1);
    expect(resent, "the server sent block 0 only once").toBeGreaterThan(0);
    // The rest of the first window was on its way; the restart came on the ACK, not a timeout.
    expect(result.arrivals.slice(result.arrivals.indexOf(0), resent)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.arrivals.slice(resent, resent + WINDOW)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await end).toMatchObject({ outcome: "completed", bytes: FILE.length, blocks: BLOCKS });
  });

  it("the straddling window's ACK lost: the server's timeout resends 65535, 0, 1, ... byte-exact", async () => {
    const end = nextEnd();
    const result = await download(served.port, "rollover.bin", {
      blksize: BLKSIZE,
      windowsize: WINDOW,
      deadlineMs: 30_000,
      // The window 65535..65541 is acknowledged with ACK 5 (65541 mod 65536): never sent.
      withholdAckOnce: [STRADDLING + WINDOW - 1],
    });
    expect(result.error).toBeUndefined();
    expect(result.data.equals(FILE)).toBe(true);
    const first = result.arrivals.indexOf(STRADDLING);
    const again = result.arrivals.indexOf(STRADDLING, first + 1);
    expect(again, "the server sent block 65535 only once").toBeGreaterThan(first);
    expect(result.arrivals.slice(again, again + WINDOW)).toEqual([65_535, 0, 1, 2, 3, 4, 5]);
    const record = await end;
    expect(record).toMatchObject({ outcome: "completed", bytes: FILE.length, blocks: BLOCKS });
    expect(record.retransmits).toBeGreaterThanOrEqual(1);
  });
});
