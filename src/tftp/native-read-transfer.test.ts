import { openSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FileContentReader } from "./content.ts";
import { NativeEnd, type NativeEndReport, type NativeReadLoop } from "./native.ts";
import type { NativeTransferChannel } from "./native-channel.ts";
import { NativeReadTransfer } from "./native-read-transfer.ts";
import { decodeError } from "./packet.ts";
import type { TransferSummary } from "./transfer.ts";

/** A native loop that records calls and ends transfers when the test says so. */
function fakeLoop(options: { startFails?: boolean } = {}) {
  let onEnd: ((report: NativeEndReport) => void) | undefined;
  const sent: Buffer[] = [];
  const loop = {
    startRead: (
      _handle: unknown,
      _fd: number,
      _parameters: unknown,
      _oack: unknown,
      callback: typeof onEnd,
    ) => {
      if (options.startFails) throw new Error("start transfer thread: Resource temporarily unavailable");
      onEnd = callback;
    },
    abort: (): NativeEndReport | undefined =>
      onEnd ? report(NativeEnd.Aborted, { awaitingOack: true }) : undefined,
    send: (_handle: unknown, packet: Buffer) => sent.push(packet),
  } as unknown as NativeReadLoop;
  const channel = {
    loop,
    handle: {},
    sendError: (code: number, message: string) => sent.push(Buffer.from(`${code}:${message}`)),
  } as unknown as NativeTransferChannel;
  return { channel, sent, end: (r: NativeEndReport) => onEnd?.(r) };
}

function report(reason: number, extra: Partial<NativeEndReport> = {}): NativeEndReport {
  return { reason, detail: 0, bytes: 0, blocks: 0, retransmits: 0, awaitingOack: false, ...extra };
}

function transfer(channel: NativeTransferChannel, oack: [string, string][] = []) {
  const ends: TransferSummary[] = [];
  const reader = new FileContentReader(openSync("/dev/null", "r"), 0);
  const settings = {
    retries: 3,
    retransmit: { initialMs: 1000, minMs: 100, maxMs: 8000 },
    negotiatedTimeout: undefined,
    onEnd: (summary: TransferSummary) => ends.push(summary),
  };
  return {
    ends,
    read: new NativeReadTransfer(channel, settings, reader, { blksize: 512, windowsize: 1, oack }),
  };
}

describe("NativeReadTransfer", () => {
  it("ends as ReadTransfer does for each reason the loop reports", () => {
    const cases: [NativeEndReport, Partial<TransferSummary>, string | undefined][] = [
      [
        report(NativeEnd.Completed, { bytes: 700, blocks: 2 }),
        { outcome: "completed", bytes: 700 },
        undefined,
      ],
      [report(NativeEnd.TimedOut), { outcome: "failed" }, "0:Transfer timed out after 3 retries"],
      [report(NativeEnd.ShortPacket), { outcome: "failed" }, "4:Malformed packet: shorter than 4 bytes"],
      [
        report(NativeEnd.UnexpectedOpcode, { detail: 3 }),
        { outcome: "failed" },
        "4:Expected an ACK, got opcode 3",
      ],
      [report(NativeEnd.ReadFailed, { detail: 5 }), { outcome: "failed" }, "0:Reading the file failed: EIO"],
      [report(NativeEnd.Unreachable), { outcome: "aborted" }, undefined],
    ];
    for (const [ending, summary, errorSent] of cases) {
      const { channel, sent, end } = fakeLoop();
      const { ends, read } = transfer(channel);
      read.start();
      end(ending);
      end(ending); // a second report (abort racing the thread's own end) changes nothing
      expect(ends).toEqual([expect.objectContaining({ ...summary, native: true })]);
      expect(sent.map(String)).toEqual(errorSent ? [errorSent] : []);
    }
  });

  it("counts a client ERROR in answer to the OACK as a size probe, and sends nothing", () => {
    const { channel, sent, end } = fakeLoop();
    const { ends, read } = transfer(channel, [["tsize", "0"]]);
    read.start();
    const packet = Buffer.from("\0\x05\0\x08no thanks\0", "latin1");
    end(report(NativeEnd.ClientError, { awaitingOack: true, errorPacket: packet }));
    expect(decodeError(packet)).toEqual({ code: 8, message: "no thanks" });
    expect(ends[0]).toMatchObject({
      outcome: "size-probe",
      error: { message: "Client sent ERROR 8: no thanks" },
    });
    expect(sent).toEqual([]);
  });

  it("ends at once on abort, telling the client when asked", () => {
    const { channel, sent } = fakeLoop();
    const { ends, read } = transfer(channel, [["tsize", "0"]]);
    read.start();
    read.abort("Server shutting down", true);
    expect(ends).toEqual([expect.objectContaining({ outcome: "aborted", native: true })]);
    expect(sent.map(String)).toEqual(["0:Server shutting down"]);
  });

  it("fails the transfer with ERROR 0 when no thread can be started", () => {
    const { channel, sent } = fakeLoop({ startFails: true });
    const { ends, read } = transfer(channel);
    read.start();
    expect(ends).toEqual([expect.objectContaining({ outcome: "failed" })]);
    expect(sent.map(String)).toEqual([
      "0:Server error: start transfer thread: Resource temporarily unavailable",
    ]);
  });
});
