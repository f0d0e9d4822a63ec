/** What read and write transfers share: retransmit timer, retry budget, ending exactly once. */

import type { BusyPoller } from "./busy-poll.ts";
import type { PacketHandler, TransferChannel } from "./channel.ts";
import { TftpErrorCode, TftpRefusal, type TransferError, transferErrorOf } from "./errors.ts";
import { clientGone, clientSentError, socketFailed, timedOut } from "./refusals.ts";
import type { RetransmitTimeout } from "./retransmit.ts";

export type TransferOutcome = "completed" | "failed" | "aborted" | "size-probe";

export interface TransferSummary {
  outcome: TransferOutcome;
  error?: TransferError;
  /** Payload bytes delivered (read: acknowledged by the client; write: stored). */
  bytes: number;
  /** Distinct DATA blocks delivered. */
  blocks: number;
  /** Packets sent again after a timeout. */
  retransmits: number;
  /** Set when the native read loop sent the file. */
  native?: true;
}

export interface TransferSettings {
  /** Consecutive timeouts tolerated before giving up. */
  retries: number;
  timeout: RetransmitTimeout;
  poller: BusyPoller;
  /** Called once when the transfer is over; the channel is closed by the caller. */
  onEnd: (summary: TransferSummary) => void;
}

/** What the runner needs of a transfer, whether it runs here or in the native read loop. */
export interface RunnableTransfer {
  start(): void;
  /** Ends the transfer from outside: the server stops, or the client started over. */
  abort(message: string, tellClient: boolean): void;
  /** How long the socket should stay open after the end, to answer a repeated last packet. */
  readonly lingerMs: number;
  /** Settles once the transfer released its resources after the end. */
  readonly released: Promise<void>;
}

export abstract class Transfer implements PacketHandler, RunnableTransfer {
  protected bytes = 0;
  protected blocks = 0;
  protected retransmits = 0;
  protected ended = false;
  /** Settles once the subclass released its resources after the end. */
  released: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  /** A timeout that fired and waits for pending input to be read before it counts. */
  private expiry: NodeJS.Immediate | undefined;
  private retriesLeft: number;
  /** The kernel reported the client's port unreachable (ICMP) since the client last progressed. */
  private peerUnreachable = false;

  constructor(
    protected readonly channel: TransferChannel,
    protected readonly settings: TransferSettings,
  ) {
    this.retriesLeft = settings.retries;
    channel.attach(this);
  }

  abstract start(): void;
  abstract handlePacket(packet: Buffer): void;
  /** Sends again what the client has not answered. */
  protected abstract retransmit(): void;

  handleSocketError(error: Error): void {
    if ((error as { code?: unknown }).code === "ECONNREFUSED") {
      // ICMP port unreachable is only a hint: it may answer a late retransmission to a client
      // that already sent its final ACK, still waiting in the socket. The next timeout decides.
      this.peerUnreachable = true;
      return;
    }
    this.end("aborted", socketFailed(error.message));
  }

  /** Ends the transfer from outside: the server stops, or the client started over. */
  abort(message: string, tellClient: boolean): void {
    const refusal = new TftpRefusal(TftpErrorCode.NotDefined, message);
    if (tellClient) this.failWith(refusal, "aborted");
    else this.end("aborted", refusal);
  }

  /** How long the socket should stay open after the end, to answer a repeated last packet. */
  get lingerMs(): number {
    return 0;
  }

  /** (Re)starts the retransmit countdown after sending something that needs an answer. */
  protected armTimer(): void {
    this.cancelExpiry();
    this.settings.poller.expectAnswer(this.settings.timeout.roundTripMs);
    const ms = this.settings.timeout.ms;
    if (this.timer && ms === this.timerMs) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(() => this.onTimer(), ms);
  }

  protected stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.cancelExpiry();
  }

  /** The client answered: the retry budget is full again. */
  protected progressed(): void {
    this.retriesLeft = this.settings.retries;
    this.peerUnreachable = false;
    this.cancelExpiry();
  }

  private cancelExpiry(): void {
    if (this.expiry === undefined) return;
    clearImmediate(this.expiry);
    this.expiry = undefined;
  }

  /**
   * Timers run before socket input in each turn of the event loop, so after a stall (garbage
   * collection, a busy machine) the answer may already be waiting. The timeout only counts
   * after two more input polls (the second one for a client in this same process) brought no
   * progress; otherwise it would resend what the client already acknowledged.
   */
  private onTimer(): void {
    this.timer = undefined;
    if (this.ended) return;
    this.expiry = setImmediate(() => {
      this.expiry = setImmediate(() => {
        this.expiry = undefined;
        this.expire();
      });
    });
  }

  private expire(): void {
    if (this.ended) return;
    if (this.peerUnreachable) {
      this.end("aborted", clientGone());
      return;
    }
    if (this.retriesLeft <= 0) {
      this.failWith(timedOut(this.settings.retries), "failed");
      return;
    }
    this.retriesLeft--;
    this.settings.timeout.backOff();
    this.retransmit();
  }

  /** A client ERROR ends the transfer without a reply (RFC 1350). */
  protected clientError(packet: Buffer, outcome: TransferOutcome = "aborted"): void {
    this.end(outcome, clientSentError(packet));
  }

  /** Tells the client why the transfer stops, then ends it. */
  protected failWith(refusal: TftpRefusal, outcome: TransferOutcome = "failed"): void {
    if (this.ended) return;
    this.channel.sendError(refusal.tftpCode, refusal.message);
    this.end(outcome, refusal);
  }

  protected end(outcome: TransferOutcome, refusal?: TftpRefusal): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimer();
    this.released = this.cleanUp().catch(() => {});
    const summary: TransferSummary = {
      outcome,
      bytes: this.bytes,
      blocks: this.blocks,
      retransmits: this.retransmits,
    };
    if (refusal) summary.error = transferErrorOf(refusal);
    this.settings.onEnd(summary);
  }

  /** Releases resources of the subclass (files, readers); called once on end. */
  protected abstract cleanUp(): Promise<void>;
}
