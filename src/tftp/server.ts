/**
 * The TFTP server: listens for requests, runs each transfer on its own port, enforces limits
 * and reports events and totals.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { EventEmitter } from "node:events";
import { realpath, stat } from "node:fs/promises";
import { isIPv6 } from "node:net";
import { bindErrorFor } from "./bind-error.ts";
import { BusyPoller } from "./busy-poll.ts";
import { TransferChannel } from "./channel.ts";
import {
  type ResolvedServerOptions,
  resolveServerOptions,
  type TftpClient,
  type TftpServerOptions,
} from "./config.ts";
import { TftpErrorCode, TftpRefusal, TftpServerError, transferErrorOf } from "./errors.ts";
import {
  emptyStats,
  type TftpServerEvents,
  type TftpServerStats,
  type TransferEndEvent,
  type TransferStartEvent,
} from "./events.ts";
import type { NegotiatedOptions } from "./options.ts";
import { encodeError, Opcode, parseRequest, type TftpRequest } from "./packet.ts";
import { prepareTransfer, requestedOptionsRecord } from "./prepare-transfer.ts";
import type { Transfer, TransferSummary } from "./transfer.ts";

export interface TftpServerAddress {
  host: string;
  port: number;
  family: "IPv4" | "IPv6";
}

/** A transfer from its request until its sockets are closed. */
interface TransferRecord {
  start: TransferStartEvent;
  key: string;
  request: Buffer;
  startedAt: number;
  channel?: TransferChannel;
  transfer?: Transfer;
  options?: NegotiatedOptions;
  /** Set by stop() or a superseding request while the transfer is still being prepared. */
  cancellation?: { reason: string; tellClient: boolean };
  lingerTimer?: NodeJS.Timeout;
  ended: boolean;
}

export class TftpServer extends EventEmitter<TftpServerEvents> {
  private readonly config: ResolvedServerOptions;
  private socket: Socket | undefined;
  private realRoot = "";
  private stopping = false;
  private nextId = 1;
  private readonly totals = emptyStats();
  private readonly transfers = new Map<string, TransferRecord>();
  /** Ended transfers whose socket stays open a little to repeat a final ACK. */
  private readonly lingering = new Set<TransferRecord>();
  private socketType: "udp4" | "udp6" = "udp4";
  private readonly poller: BusyPoller;
  /** Work to wait for on stop: preparations and socket closings. */
  private readonly pending = new Set<Promise<void>>();

  constructor(options: TftpServerOptions) {
    super();
    this.config = resolveServerOptions(options);
    this.poller = new BusyPoller(this.config.busyPollMicros / 1000, () => this.transfers.size);
  }

  async start(): Promise<void> {
    if (this.socket)
      throw new TftpServerError("ERR_TFTP_ALREADY_STARTED", "The TFTP server is already running");
    const { root, host, port } = this.config;
    try {
      this.realRoot = await realpath(root);
      if (!(await stat(this.realRoot)).isDirectory()) throw Object.assign(new Error(), { code: "ENOTDIR" });
    } catch (error) {
      throw new TftpServerError(
        "ERR_TFTP_ROOT_NOT_FOUND",
        `TFTP root ${root} is not an existing directory: create it or pass another root`,
        { cause: error },
      );
    }
    this.socketType = isIPv6(host) ? "udp6" : "udp4";
    const socket = createSocket(this.socketType);
    await new Promise<void>((resolve, reject) => {
      socket.once("error", (error) => reject(bindErrorFor(error, host, port)));
      socket.bind(port, host, () => resolve());
    }).catch(async (error: unknown) => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      throw error;
    });
    socket.removeAllListeners("error");
    socket.on("error", (error) =>
      this.warn("ERR_TFTP_SOCKET", `Listening socket error: ${error.message}`, error),
    );
    socket.on("message", (packet, from) => this.handleRequest(packet, from));
    this.stopping = false;
    this.socket = socket;
  }

  /** Where the server listens. Throws when it is not running. */
  address(): TftpServerAddress {
    if (!this.socket) {
      throw new TftpServerError("ERR_TFTP_NOT_RUNNING", "The TFTP server is not running: call start() first");
    }
    const { address, port, family } = this.socket.address();
    return { host: address, port, family: family === "IPv6" ? "IPv6" : "IPv4" };
  }

  stats(): TftpServerStats {
    return { ...this.totals, activeTransfers: this.transfers.size };
  }

  /** Stops listening, aborts transfers in progress and resolves once every socket is closed. */
  async stop(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.stopping = true;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    for (const record of [...this.transfers.values(), ...this.lingering])
      this.cancel(record, "Server shutting down");
    for (let round = 0; round < 10 && this.pending.size > 0; round++) await Promise.all([...this.pending]);
    this.poller.stop();
    this.socket = undefined;
  }

  private warn(code: string, message: string, cause: unknown): void {
    if (this.listenerCount("warning") > 0)
      this.emit("warning", new TftpServerError(code, message, { cause }));
  }

  private reply(to: RemoteInfo, code: TftpErrorCode, message: string): void {
    this.socket?.send(encodeError(code, message), to.port, to.address);
  }

  private handleRequest(packet: Buffer, from: RemoteInfo): void {
    if (this.stopping) return;
    if (packet.length >= 2 && packet.readUInt16BE(0) === Opcode.ERROR) return; // never answer an ERROR
    const parsed = parseRequest(packet);
    if (!parsed.ok) {
      this.totals.malformedPackets++;
      this.reply(from, TftpErrorCode.IllegalOperation, parsed.reason);
      return;
    }
    const key = `${from.address}|${from.port}`;
    const existing = this.transfers.get(key);
    if (existing) {
      // The client repeated its request before our first answer arrived: already being served.
      if (existing.request.equals(packet)) return;
      this.cancel(existing, "Superseded by a new request from the same client port", false);
    }
    if (this.transfers.size >= this.config.maxTransfers) {
      this.totals.busyRejections++;
      this.reply(
        from,
        TftpErrorCode.NotDefined,
        "Server busy: too many transfers in progress, try again later",
      );
      return;
    }
    const record = this.register(key, Buffer.from(packet), parsed.request, from);
    this.track(this.run(record, parsed.request, from));
  }

  private register(key: string, packet: Buffer, request: TftpRequest, from: RemoteInfo): TransferRecord {
    const client: TftpClient = {
      address: from.address,
      port: from.port,
      family: from.family === "IPv6" ? "IPv6" : "IPv4",
    };
    const start: TransferStartEvent = {
      id: this.nextId++,
      kind: request.kind,
      filename: request.filename,
      mode: request.mode,
      client,
      requestedOptions: requestedOptionsRecord(request),
    };
    const record: TransferRecord = {
      start,
      key,
      request: packet,
      startedAt: performance.now(),
      ended: false,
    };
    this.transfers.set(key, record);
    this.totals.startedTransfers++;
    this.emit("transferStart", start);
    return record;
  }

  private async run(record: TransferRecord, request: TftpRequest, from: RemoteInfo): Promise<void> {
    let channel: TransferChannel;
    try {
      channel = await TransferChannel.open(this.socketType, this.config.host, from.address, from.port, () => {
        this.totals.strangerPackets++;
      });
    } catch (error) {
      const refusal = new TftpRefusal(TftpErrorCode.NotDefined, "Server could not open a transfer port");
      this.reply(from, refusal.tftpCode, refusal.message);
      this.finish(record, {
        outcome: "failed",
        error: transferErrorOf(refusal),
        bytes: 0,
        blocks: 0,
        retransmits: 0,
      });
      this.warn("ERR_TFTP_TRANSFER_SOCKET", `Cannot open a transfer socket: ${String(error)}`, error);
      return;
    }
    record.channel = channel;
    try {
      const prepared = await prepareTransfer(request, {
        options: this.config,
        realRoot: this.realRoot,
        channel,
        client: record.start.client,
        poller: this.poller,
        onEnd: (summary) => this.finish(record, summary),
      });
      record.transfer = prepared.transfer;
      record.options = prepared.options;
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

  /** Ends a transfer early, whether it is running or still being prepared. */
  private cancel(record: TransferRecord, reason: string, tellClient = true): void {
    if (record.lingerTimer) {
      clearTimeout(record.lingerTimer);
      record.lingerTimer = undefined;
      this.track(this.closeRecord(record));
      return;
    }
    if (record.transfer) record.transfer.abort(reason, tellClient);
    else record.cancellation = { reason, tellClient };
  }

  private finish(record: TransferRecord, summary: TransferSummary): void {
    if (record.ended) return;
    record.ended = true;
    if (this.transfers.get(record.key) === record) this.transfers.delete(record.key);
    this.count(record.start.kind, summary);
    const end: TransferEndEvent = {
      ...record.start,
      ...summary,
      durationMs: performance.now() - record.startedAt,
    };
    if (record.options) end.options = record.options;
    this.emit("transferEnd", end);
    const lingerMs = this.stopping ? 0 : (record.transfer?.lingerMs ?? 0);
    if (lingerMs > 0) {
      record.lingerTimer = setTimeout(() => {
        record.lingerTimer = undefined;
        this.track(this.closeRecord(record));
      }, lingerMs);
      this.lingering.add(record);
    } else {
      this.track(this.closeRecord(record));
    }
  }

  private async closeRecord(record: TransferRecord): Promise<void> {
    this.lingering.delete(record);
    await record.channel?.close();
    await record.transfer?.released;
  }

  private count(kind: "read" | "write", summary: TransferSummary): void {
    const totals = this.totals;
    if (summary.outcome === "completed") totals.completedTransfers++;
    else if (summary.outcome === "failed") totals.failedTransfers++;
    else if (summary.outcome === "aborted") totals.abortedTransfers++;
    else totals.sizeProbes++;
    if (kind === "read") totals.bytesSent += summary.bytes;
    else totals.bytesReceived += summary.bytes;
    totals.retransmits += summary.retransmits;
  }

  private track(work: Promise<void>): void {
    const settled = work.catch((error: unknown) => this.warn("ERR_TFTP_INTERNAL", String(error), error));
    this.pending.add(settled);
    settled.finally(() => this.pending.delete(settled));
  }
}
