import type { Duplex } from "node:stream";
import { GrpcTransport } from "../client/grpc/grpc-transport.ts";
import { DutkitError, FailedPreconditionError, UnavailableError } from "../core/errors.ts";
import type { OpenedResource } from "../core/resource.ts";
import type { ExporterReport, Transport } from "../core/transport.ts";
import type { JsonValue } from "../core/value.ts";
import { formatDuration } from "../protocol/duration.ts";
import type { LeaseCalls } from "./lease-calls.ts";
import type { LeaseInfo } from "./lease-info.ts";
import { openTunnel, type Tunnel } from "./tunnel.ts";

/** The lease ended while the board was in use: calls in flight and later calls fail with this. */
export class LeaseEndedError extends DutkitError {
  constructor(message: string) {
    super("ERR_DUTKIT_LEASE_ENDED", message);
  }
}

export interface WatchOptions {
  /** GetLease period while held (catches an early end: deleted, exporter offline). Default 5000 ms. */
  pollMs?: number;
  onEnd?: (error: LeaseEndedError) => void;
}

/** A lease that is Ready: connect to its exporter, watch its end, release it. */
export class HeldLease {
  info: LeaseInfo;
  readonly created: boolean;
  readonly exporterLabels: Record<string, string>;
  readonly waitedMs: number;
  private readonly tunnels = new Set<Tunnel>();
  private readonly endListeners = new Set<(error: LeaseEndedError) => void>();
  private endedError: LeaseEndedError | undefined;
  private stopWatch: (() => void) | undefined;
  private released: Promise<void> | undefined;

  constructor(
    private readonly leases: LeaseCalls,
    info: LeaseInfo,
    extra: { created: boolean; labels: Record<string, string>; waitedMs: number },
  ) {
    this.info = info;
    this.created = extra.created;
    this.exporterLabels = extra.labels;
    this.waitedMs = extra.waitedMs;
  }

  get id(): string {
    return this.info.id;
  }
  get exporterName(): string {
    return this.info.exporter ?? "";
  }
  get ended(): LeaseEndedError | undefined {
    return this.endedError;
  }

  /** A unix socket that reaches the exporter session (one Dial per connection); for JUMPSTARTER_HOST. */
  async openTunnel(): Promise<Tunnel> {
    const tunnel = await openTunnel(this.leases.clients, this.id);
    this.tunnels.add(tunnel);
    return tunnel;
  }

  /** A transport to the exporter through the router; it fails calls with LeaseEndedError once the lease ends. */
  async connect(options: { timeoutMs?: number } = {}): Promise<LeaseTransport> {
    const tunnel = await this.openTunnel();
    try {
      const inner = await GrpcTransport.connect(tunnel.path, { timeoutMs: options.timeoutMs ?? 30_000 });
      return new LeaseTransport(inner, this);
    } catch (error) {
      throw tunnel.lastDialError ?? error;
    }
  }

  /** Fires `onEnd` once when the lease ends: at its end time, or earlier when the controller ends it. */
  watch(options: WatchOptions = {}): void {
    if (options.onEnd) this.endListeners.add(options.onEnd);
    if (this.stopWatch) return;
    const timers: NodeJS.Timeout[] = [];
    const end = this.info.endTime;
    if (end) {
      const at = Math.min(Math.max(end.getTime() - Date.now(), 0), 2 ** 31 - 1);
      const timer = setTimeout(() => {
        this.markEnded(
          `its duration (${formatDuration(this.info.durationS)}) ran out at ${end.toISOString()}`,
        );
      }, at);
      // The lease's end must not keep a process alive that is otherwise done.
      timer.unref();
      timers.push(timer);
    }
    const poll = setInterval(() => void this.checkEnded().catch(() => {}), options.pollMs ?? 5000);
    poll.unref();
    timers.push(poll);
    this.stopWatch = () => {
      for (const t of timers) clearTimeout(t);
    };
  }

  /** Asks the controller whether the lease has ended; marks it so if it has. */
  async checkEnded(): Promise<LeaseEndedError | undefined> {
    if (this.endedError) return this.endedError;
    const info = await this.leases.get(this.id);
    if (info.state !== "ready") this.markEnded(info.message.replace(/^lease ended: /, ""));
    return this.endedError;
  }

  /** Ends the watch and the tunnels; deletes the lease if we created it (errors are swallowed). */
  release(): Promise<void> {
    this.released ??= (async () => {
      this.stopWatch?.();
      await Promise.all([...this.tunnels].map((t) => t.close()));
      if (this.created) {
        await this.leases.delete(this.id).catch(() => {});
      }
    })();
    return this.released;
  }

  markEnded(why: string): void {
    if (this.endedError || this.released) return;
    this.endedError = new LeaseEndedError(
      `lease ${this.id} on exporter ${this.exporterName} ended (${why}) while the board was still in use; ` +
        "lease for longer (a longer duration) or make the test finish sooner",
    );
    this.stopWatch?.();
    for (const listener of this.endListeners) listener(this.endedError);
  }

  onEnd(listener: (error: LeaseEndedError) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }
}

/**
 * A transport through a lease: calls in flight when the lease ends reject with LeaseEndedError
 * (no hang), as do later calls; an exporter that stops answering is checked against the lease so
 * the error says why.
 */
export class LeaseTransport implements Transport {
  private readonly streams = new Set<Duplex>();
  constructor(
    readonly inner: GrpcTransport,
    private readonly lease: HeldLease,
  ) {
    lease.onEnd((error) => {
      for (const stream of this.streams) stream.destroy(error);
    });
  }

  get address(): string {
    return this.inner.address;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.lease.ended) throw this.lease.ended;
    let stop: (() => void) | undefined;
    const ended = new Promise<never>((_, reject) => {
      stop = this.lease.onEnd(reject);
    });
    ended.catch(() => {});
    try {
      return await Promise.race([work(), ended]);
    } catch (error) {
      throw await this.explain(error);
    } finally {
      stop?.();
    }
  }

  private async explain(error: unknown): Promise<unknown> {
    if (this.lease.ended) return this.lease.ended;
    // A broken tunnel (UNAVAILABLE) or a session already closing (FAILED_PRECONDITION) may mean the lease ended.
    if (!(error instanceof UnavailableError) && !(error instanceof FailedPreconditionError)) return error;
    // The tunnel broke: ask the controller (a few times, it may not have noticed yet) whether the lease ended.
    for (let attempt = 0; attempt < 5; attempt++) {
      const ended = await this.lease.checkEnded().catch(() => undefined);
      if (ended) return ended;
      await new Promise((r) => setTimeout(r, 300));
    }
    if (error instanceof FailedPreconditionError) return error;
    return new UnavailableError(
      `the exporter ${this.lease.exporterName} of lease ${this.lease.id} stopped answering while the lease is still active: ${(error as Error).message}`,
      { cause: error },
    );
  }

  report(): Promise<ExporterReport> {
    return this.guard(() => this.inner.report());
  }

  call(uuid: string, method: string, args: JsonValue[]): Promise<JsonValue> {
    return this.guard(() => this.inner.call(uuid, method, args));
  }

  async *streamingCall(uuid: string, method: string, args: JsonValue[]): AsyncGenerator<JsonValue> {
    const iterator = this.inner.streamingCall(uuid, method, args)[Symbol.asyncIterator]();
    try {
      for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
        const next = await this.guard(() => iterator.next());
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.(undefined);
    }
  }

  async byteStream(uuid: string, method: string): Promise<Duplex> {
    const stream = await this.guard(() => this.inner.byteStream(uuid, method));
    this.streams.add(stream);
    stream.once("close", () => this.streams.delete(stream));
    return stream;
  }

  async resource(uuid: string, contentEncoding: string | null): Promise<OpenedResource> {
    const opened = await this.guard(() => this.inner.resource(uuid, contentEncoding));
    this.streams.add(opened.stream);
    opened.stream.once("close", () => this.streams.delete(opened.stream));
    return opened;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
