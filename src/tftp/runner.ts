/**
 * Runs transfers once the listener accepted their request: opens each transfer's port, prepares
 * it, lets it run, keeps its socket a little after the end when asked, and closes it. Used in
 * the server's own thread and, unchanged, inside each transfer worker (transfer-worker.ts).
 */
import type { SocketType } from "node:dgram";
import { isIP } from "node:net";
import { BusyPoller } from "./busy-poll.ts";
import { TransferChannel } from "./channel.ts";
import type { ResolvedServerOptions, TftpClient } from "./config.ts";
import { TftpErrorCode, TftpRefusal, type TftpServerError, transferErrorOf } from "./errors.ts";
import { nativeReadLoop } from "./native.ts";
import { NativeTransferChannel } from "./native-channel.ts";
import type { NegotiatedOptions } from "./options.ts";
import type { TftpRequest } from "./packet.ts";
import { prepareTransfer } from "./prepare-transfer.ts";
import type { RunnableTransfer, TransferSummary } from "./transfer.ts";

/** What a runner tells the server about its transfers. */
export interface RunnerEvents {
  /** Options were agreed; the transfer starts. */
  prepared(id: number, options: NegotiatedOptions): void;
  /** Called once per transfer. */
  ended(id: number, summary: TransferSummary): void;
  /** No transfer port could be opened: answer the client from the listening port. */
  refuse(client: TftpClient, code: TftpErrorCode, message: string): void;
  stranger(): void;
  warn(code: TftpServerError["code"], message: string, cause: unknown): void;
}

/** Where the server hands accepted requests: a runner in its thread, or a worker. */
export interface TransferTarget {
  run(id: number, request: TftpRequest, client: TftpClient): void;
  cancel(id: number, reason: string, tellClient: boolean): void;
  /**
   * Calls `done` once the packets the transfer's port had received are handled and an end
   * they caused is reported (through `ended`, before `done`).
   */
  settle(id: number, done: () => void): void;
  /** Aborts everything and resolves once every socket is closed. */
  stop(): Promise<void>;
}

interface RunningTransfer {
  id: number;
  channel?: TransferChannel | NativeTransferChannel;
  transfer?: RunnableTransfer;
  /** Set by cancel() while the transfer is still being prepared. */
  cancellation?: { reason: string; tellClient: boolean };
  lingerTimer?: NodeJS.Timeout;
  ended: boolean;
}

export class TransferRunner implements TransferTarget {
  private readonly running = new Map<number, RunningTransfer>();
  /** Ended transfers whose socket stays open a little to repeat a final ACK. */
  private readonly lingering = new Set<RunningTransfer>();
  /** Work to wait for on stop: preparations and socket closings. */
  private readonly pending = new Set<Promise<void>>();
  private readonly poller: BusyPoller;
  private stopping = false;

  constructor(
    private readonly config: ResolvedServerOptions,
    private readonly realRoot: string,
    private readonly socketType: SocketType,
    private readonly events: RunnerEvents,
  ) {
    this.poller = new BusyPoller(config.busyPollMicros / 1000, () => this.running.size);
  }

  run(id: number, request: TftpRequest, client: TftpClient): void {
    const record: RunningTransfer = { id, ended: false };
    this.running.set(id, record);
    this.track(this.runRecord(record, request, client));
  }

  /** Ends a transfer early, whether it is running or still being prepared. */
  cancel(id: number, reason: string, tellClient: boolean): void {
    const record = this.running.get(id);
    if (record) this.cancelRecord(record, reason, tellClient);
  }

  /**
   * Two turns of the event loop, each of which reads the sockets once. A transfer in the native
   * read loop is read by its own thread, which may not have run yet: then up to
   * SETTLE_NATIVE_CHECKS more turns, a millisecond apart, until it waits for more.
   */
  settle(id: number, done: () => void): void {
    const record = this.running.get(id);
    const settled = () => {
      const channel = record?.channel;
      return record?.ended !== false || !(channel instanceof NativeTransferChannel) || channel.settled();
    };
    let checks = 0;
    const check = () => {
      if (settled() || ++checks > SETTLE_NATIVE_CHECKS) done();
      else setTimeout(check, 1);
    };
    setImmediate(() => setImmediate(check));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const record of [...this.running.values(), ...this.lingering])
      this.cancelRecord(record, "Server shutting down", true);
    for (let round = 0; round < 10 && this.pending.size > 0; round++) await Promise.all([...this.pending]);
    this.poller.stop();
  }

  private async runRecord(record: RunningTransfer, request: TftpRequest, client: TftpClient): Promise<void> {
    let channel: TransferChannel | NativeTransferChannel;
    try {
      channel = await this.openChannel(request, client);
    } catch (error) {
      const refusal = new TftpRefusal(TftpErrorCode.NotDefined, "Server could not open a transfer port");
      this.events.refuse(client, refusal.tftpCode, refusal.message);
      this.finish(record, {
        outcome: "failed",
        error: transferErrorOf(refusal),
        bytes: 0,
        blocks: 0,
        retransmits: 0,
      });
      this.events.warn("ERR_TFTP_TRANSFER_SOCKET", `Cannot open a transfer socket: ${String(error)}`, error);
      return;
    }
    record.channel = channel;
    try {
      const prepared = await prepareTransfer(request, {
        options: this.config,
        realRoot: this.realRoot,
        channel,
        client,
        poller: this.poller,
        onEnd: (summary) => this.finish(record, summary),
      });
      record.transfer = prepared.transfer;
      this.events.prepared(record.id, prepared.options);
    } catch (error) {
      const refusal =
        error instanceof TftpRefusal
          ? error
          : new TftpRefusal(
              TftpErrorCode.NotDefined,
              `Server error: ${String((error as { code?: unknown })?.code ?? error)}`,
            );
      const cancelled = record.cancellation !== undefined;
      if (!cancelled) channel.sendError(refusal.tftpCode, refusal.message);
      const outcome = cancelled ? "aborted" : "failed";
      this.finish(record, { outcome, error: transferErrorOf(refusal), bytes: 0, blocks: 0, retransmits: 0 });
      return;
    }
    const { cancellation } = record;
    if (cancellation) record.transfer.abort(cancellation.reason, cancellation.tellClient);
    else record.transfer.start();
  }

  /**
   * Octet reads of files run in the native read loop when the server uses it and both
   * addresses are plain numeric ones (the loop parses no host names or IPv6 zones).
   */
  private openChannel(request: TftpRequest, client: TftpClient) {
    const { host } = this.config;
    const onStranger = () => this.events.stranger();
    const native =
      this.config.nativeReads &&
      request.kind === "read" &&
      request.mode === "octet" &&
      !this.config.onRead &&
      isPlainAddress(host) &&
      isPlainAddress(client.address);
    const loop = native ? nativeReadLoop() : undefined;
    return loop
      ? NativeTransferChannel.open(loop, this.socketType, host, client.address, client.port, onStranger)
      : TransferChannel.open(this.socketType, host, client.address, client.port, onStranger);
  }

  private cancelRecord(record: RunningTransfer, reason: string, tellClient: boolean): void {
    if (record.lingerTimer) {
      clearTimeout(record.lingerTimer);
      record.lingerTimer = undefined;
      this.track(this.close(record));
      return;
    }
    if (record.transfer) record.transfer.abort(reason, tellClient);
    else record.cancellation = { reason, tellClient };
  }

  private finish(record: RunningTransfer, summary: TransferSummary): void {
    if (record.ended) return;
    record.ended = true;
    this.running.delete(record.id);
    this.events.ended(record.id, summary);
    const lingerMs = this.stopping ? 0 : (record.transfer?.lingerMs ?? 0);
    if (lingerMs > 0) {
      record.lingerTimer = setTimeout(() => {
        record.lingerTimer = undefined;
        this.track(this.close(record));
      }, lingerMs);
      this.lingering.add(record);
    } else {
      this.track(this.close(record));
    }
  }

  private async close(record: RunningTransfer): Promise<void> {
    this.lingering.delete(record);
    await record.channel?.close();
    await record.transfer?.released;
  }

  private track(work: Promise<void>): void {
    const settled = work.catch((error: unknown) =>
      this.events.warn("ERR_TFTP_INTERNAL", String(error), error),
    );
    this.pending.add(settled);
    settled.finally(() => this.pending.delete(settled));
  }
}

/** Bounds how long a repeated request waits for a native transfer's thread (about 100 ms). */
const SETTLE_NATIVE_CHECKS = 100;

function isPlainAddress(address: string): boolean {
  return isIP(address) !== 0 && !address.includes("%");
}
