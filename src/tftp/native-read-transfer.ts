/**
 * A read transfer whose data phase runs in the native read loop. It ends exactly as
 * ReadTransfer does: the same outcomes, messages and ERROR packets, which are composed here
 * from the reason the native loop reports.
 */
import { constants } from "node:os";
import type { FileContentReader } from "./content.ts";
import { TftpErrorCode, TftpRefusal, transferErrorOf } from "./errors.ts";
import { NativeEnd, type NativeEndReport, type NativeReadParameters } from "./native.ts";
import type { NativeTransferChannel } from "./native-channel.ts";
import { encodeOack } from "./packet.ts";
import type { ReadTransferParameters } from "./read-transfer.ts";
import {
  clientGone,
  clientSentError,
  readFailed,
  shortPacket,
  socketFailed,
  timedOut,
  unexpectedOpcode,
} from "./refusals.ts";
import type { RetransmitSettings } from "./retransmit.ts";
import type { RunnableTransfer, TransferOutcome, TransferSummary } from "./transfer.ts";

export interface NativeTransferSettings {
  retries: number;
  retransmit: RetransmitSettings;
  /** Timeout negotiated with the client (RFC 2349), in seconds. */
  negotiatedTimeout: number | undefined;
  onEnd: (summary: TransferSummary) => void;
}

const errnoNames = new Map(Object.entries(constants.errno).map(([name, number]) => [number, name]));

function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

export class NativeReadTransfer implements RunnableTransfer {
  released: Promise<void> = Promise.resolve();
  private state: "ready" | "running" | "ended" = "ready";
  /** Why abort() stopped the native loop, to end with once it reports. */
  private abortRequest: { message: string; tellClient: boolean } | undefined;

  constructor(
    private readonly channel: NativeTransferChannel,
    private readonly settings: NativeTransferSettings,
    private readonly reader: FileContentReader,
    private readonly parameters: ReadTransferParameters,
  ) {}

  get lingerMs(): number {
    return 0;
  }

  start(): void {
    if (this.state !== "ready") return;
    this.state = "running";
    const { oack } = this.parameters;
    try {
      this.channel.loop.startRead(
        this.channel.handle,
        this.reader.fd,
        this.nativeParameters(),
        oack.length > 0 ? encodeOack(oack) : null,
        (report) => this.finished(report),
      );
    } catch (error) {
      // No thread (the process's thread limit, memory): the client hears why, nothing is left.
      const reason = (error as { message?: unknown })?.message ?? error;
      this.failWith(new TftpRefusal(TftpErrorCode.NotDefined, `Server error: ${String(reason)}`), noCounts);
    }
  }

  private nativeParameters(): NativeReadParameters {
    const { retransmit, negotiatedTimeout, retries } = this.settings;
    return {
      size: this.reader.size,
      blksize: this.parameters.blksize,
      windowsize: this.parameters.windowsize,
      initialMs: retransmit.initialMs,
      minMs: retransmit.minMs,
      maxMs: retransmit.maxMs,
      fixedMs: negotiatedTimeout === undefined ? 0 : negotiatedTimeout * 1000,
      retries,
    };
  }

  abort(message: string, tellClient: boolean): void {
    if (this.state === "ended") return;
    if (this.state === "ready") {
      this.endAborted(message, tellClient, this.parameters.oack.length > 0);
      return;
    }
    this.abortRequest ??= { message, tellClient };
    const report = this.channel.loop.abort(this.channel.handle);
    if (report) this.finished(report);
  }

  /** Called by abort() and, later or earlier, by the thread's own end: the first one counts. */
  private finished(report: NativeEndReport): void {
    if (this.state === "ended") return;
    const counts = { bytes: report.bytes, blocks: report.blocks, retransmits: report.retransmits };
    switch (report.reason) {
      case NativeEnd.Completed:
        this.end("completed", counts);
        return;
      case NativeEnd.ClientError:
        // An ERROR in answer to the OACK is how UEFI PXE probes the size before asking again.
        this.end(
          report.awaitingOack ? "size-probe" : "aborted",
          counts,
          clientSentError(report.errorPacket ?? Buffer.alloc(4)),
        );
        return;
      case NativeEnd.ShortPacket:
        this.failWith(shortPacket(), counts);
        return;
      case NativeEnd.UnexpectedOpcode:
        this.failWith(unexpectedOpcode("an ACK", report.detail), counts);
        return;
      case NativeEnd.TimedOut:
        this.failWith(timedOut(this.settings.retries), counts);
        return;
      case NativeEnd.Unreachable:
        this.end("aborted", counts, clientGone());
        return;
      case NativeEnd.ReadFailed:
        this.failWith(readFailed(errnoName(report.detail)), counts);
        return;
      case NativeEnd.Aborted: {
        const request = this.abortRequest ?? { message: "Transfer aborted", tellClient: false };
        this.endAborted(request.message, request.tellClient, report.awaitingOack, counts);
        return;
      }
      default:
        this.end("aborted", counts, socketFailed(errnoName(report.detail)));
    }
  }

  /** As ReadTransfer.abort: a client that gave up on our OACK to ask again made a size probe. */
  private endAborted(message: string, tellClient: boolean, awaitingOack: boolean, counts = noCounts): void {
    const refusal = new TftpRefusal(TftpErrorCode.NotDefined, message);
    if (awaitingOack && !tellClient) this.end("size-probe", counts, refusal);
    else if (tellClient) this.failWith(refusal, counts, "aborted");
    else this.end("aborted", counts, refusal);
  }

  private failWith(refusal: TftpRefusal, counts: TransferCounts, outcome: TransferOutcome = "failed"): void {
    if (this.state === "ended") return;
    this.channel.sendError(refusal.tftpCode, refusal.message);
    this.end(outcome, counts, refusal);
  }

  private end(outcome: TransferOutcome, counts: TransferCounts, refusal?: TftpRefusal): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.released = this.reader.close().catch(() => {});
    const summary: TransferSummary = { outcome, ...counts, native: true };
    if (refusal) summary.error = transferErrorOf(refusal);
    this.settings.onEnd(summary);
  }
}

type TransferCounts = Pick<TransferSummary, "bytes" | "blocks" | "retransmits">;
const noCounts: TransferCounts = { bytes: 0, blocks: 0, retransmits: 0 };
