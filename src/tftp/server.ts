/**
 * The TFTP server: listens for requests, runs each transfer on its own port (in this thread or
 * in one of `workers` worker threads), enforces limits and reports events and totals.
 */

import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { EventEmitter } from "node:events";
import { realpath, stat } from "node:fs/promises";
import { isIPv6 } from "node:net";
import { bindErrorFor } from "./bind-error.ts";
import {
  type ResolvedServerOptions,
  resolveServerOptions,
  type TftpClient,
  type TftpServerOptions,
} from "./config.ts";
import { TftpErrorCode, TftpServerError } from "./errors.ts";
import {
  emptyStats,
  type TftpServerEvents,
  type TftpServerStats,
  type TransferEndEvent,
  type TransferStartEvent,
} from "./events.ts";
import type { NegotiatedOptions } from "./options.ts";
import { encodeError, Opcode, parseRequest, type TftpRequest } from "./packet.ts";
import { requestedOptionsRecord } from "./prepare-transfer.ts";
import { type RunnerEvents, TransferRunner, type TransferTarget } from "./runner.ts";
import type { TransferSummary } from "./transfer.ts";
import { removeLeftoverUploads } from "./upload-file.ts";
import { startWorkers, type WorkerTarget } from "./worker-pool.ts";

export interface TftpServerAddress {
  host: string;
  port: number;
  family: "IPv4" | "IPv6";
}

/** A transfer from its request until its end, as the listener sees it. */
interface TransferRecord {
  start: TransferStartEvent;
  key: string;
  request: Buffer;
  startedAt: number;
  target: TransferTarget;
  options?: NegotiatedOptions;
  /** The same request again, held until the transfer's port caught up (holdRepeat). */
  repeat?: IncomingRequest;
}

interface IncomingRequest {
  packet: Buffer;
  request: TftpRequest;
  from: RemoteInfo;
}

export class TftpServer extends EventEmitter<TftpServerEvents> {
  private readonly config: ResolvedServerOptions;
  private socket: Socket | undefined;
  private stopping = false;
  private nextId = 1;
  private readonly totals = emptyStats();
  /** Transfers in progress by client address and port. */
  private readonly transfers = new Map<string, TransferRecord>();
  /** Transfers in progress by id, including superseded ones still winding down. */
  private readonly byId = new Map<number, TransferRecord>();
  /** Runs transfers in this thread: every one without workers, `onRead` ones with them. */
  private local: TransferRunner | undefined;
  private workers: WorkerTarget[] = [];
  private readonly runnerEvents: RunnerEvents = {
    prepared: (id, options) => {
      const record = this.byId.get(id);
      if (record) record.options = options;
    },
    ended: (id, summary) => this.finish(id, summary),
    refuse: (client, code, message) =>
      this.socket?.send(encodeError(code, message), client.port, client.address),
    stranger: () => {
      this.totals.strangerPackets++;
    },
    warn: (code, message, cause) => this.warn(code, message, cause),
  };

  constructor(options: TftpServerOptions) {
    super();
    this.config = resolveServerOptions(options);
  }

  async start(): Promise<void> {
    if (this.socket)
      throw new TftpServerError("ERR_TFTP_ALREADY_STARTED", "The TFTP server is already running");
    const { root, host, port } = this.config;
    let realRoot: string;
    try {
      realRoot = await realpath(root);
      if (!(await stat(realRoot)).isDirectory()) throw Object.assign(new Error(), { code: "ENOTDIR" });
    } catch (error) {
      throw new TftpServerError(
        "ERR_TFTP_ROOT_NOT_FOUND",
        `TFTP root ${root} is not an existing directory: create it or pass another root`,
        { cause: error },
      );
    }
    this.totals.leftoverUploadsRemoved += (await removeLeftoverUploads(realRoot)).length;
    const socketType = isIPv6(host) ? "udp6" : "udp4";
    const socket = createSocket(socketType);
    await new Promise<void>((resolve, reject) => {
      socket.once("error", (error) => reject(bindErrorFor(error, host, port)));
      socket.bind(port, host, () => resolve());
    }).catch(async (error: unknown) => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      throw error;
    });
    try {
      this.workers = await startWorkers(this.config, realRoot, socketType, this.runnerEvents);
    } catch (error) {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      throw error;
    }
    this.local = new TransferRunner(this.config, realRoot, socketType, this.runnerEvents);
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

  /** Whether octet reads of files go out through the native read loop (option nativeReads). */
  get nativeReads(): boolean {
    return this.config.nativeReads;
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
    await Promise.all([this.local?.stop(), ...this.workers.map((worker) => worker.stop())]);
    this.workers = [];
    this.local = undefined;
    this.socket = undefined;
  }

  private warn(code: TftpServerError["code"], message: string, cause: unknown): void {
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
    const incoming = { packet: Buffer.from(packet), request: parsed.request, from };
    const existing = this.transfers.get(key);
    if (existing) {
      if (existing.request.equals(packet)) {
        this.holdRepeat(existing, incoming);
        return;
      }
      existing.repeat = undefined;
      existing.target.cancel(
        existing.start.id,
        "Superseded by a new request from the same client port",
        false,
      );
    }
    this.accept(key, incoming);
  }

  /**
   * The same request again from a port whose transfer is registered. It is a retransmission
   * when that transfer still runs, and a new request when the client sent it right after the
   * final ACK, which reached the transfer's port first but may not be handled yet. So it waits
   * until the transfer's runner handled what its port received: if the transfer ended by
   * then, the request starts a new one (finish); if not, it is a duplicate and ignored.
   */
  private holdRepeat(record: TransferRecord, incoming: IncomingRequest): void {
    if (record.repeat) {
      this.totals.duplicateRequests++;
      return;
    }
    record.repeat = incoming;
    record.target.settle(record.start.id, () => {
      if (record.repeat !== incoming) return;
      record.repeat = undefined;
      this.totals.duplicateRequests++;
    });
  }

  private accept(key: string, incoming: IncomingRequest): void {
    if (this.transfers.size >= this.config.maxTransfers) {
      this.totals.busyRejections++;
      this.reply(
        incoming.from,
        TftpErrorCode.NotDefined,
        "Server busy: too many transfers in progress, try again later",
      );
      return;
    }
    const record = this.register(key, incoming.packet, incoming.request, incoming.from);
    record.target.run(record.start.id, incoming.request, record.start.client);
  }

  /** Hook transfers stay in this thread; the others go to the least busy worker, if any. */
  private targetFor(request: TftpRequest): TransferTarget {
    const local = this.local as TransferRunner;
    if (this.workers.length === 0 || (request.kind === "read" && this.config.onRead)) return local;
    let best = this.workers[0] as WorkerTarget;
    for (const worker of this.workers) if (worker.active < best.active) best = worker;
    return best;
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
      target: this.targetFor(request),
    };
    this.transfers.set(key, record);
    this.byId.set(start.id, record);
    this.totals.startedTransfers++;
    this.emit("transferStart", start);
    return record;
  }

  private finish(id: number, summary: TransferSummary): void {
    const record = this.byId.get(id);
    if (!record) return;
    this.byId.delete(id);
    if (this.transfers.get(record.key) === record) this.transfers.delete(record.key);
    this.count(record.start.kind, summary);
    const end: TransferEndEvent = {
      ...record.start,
      ...summary,
      durationMs: performance.now() - record.startedAt,
    };
    if (record.options) end.options = record.options;
    this.emit("transferEnd", end);
    const { repeat } = record;
    record.repeat = undefined;
    if (repeat && !this.stopping) this.accept(record.key, repeat);
  }

  private count(kind: "read" | "write", summary: TransferSummary): void {
    const totals = this.totals;
    if (summary.outcome === "completed") totals.completedTransfers++;
    else if (summary.outcome === "failed") totals.failedTransfers++;
    else if (summary.outcome === "aborted") totals.abortedTransfers++;
    else totals.sizeProbes++;
    if (summary.native) totals.nativeTransfers++;
    if (kind === "read") totals.bytesSent += summary.bytes;
    else totals.bytesReceived += summary.bytes;
    totals.retransmits += summary.retransmits;
  }
}
