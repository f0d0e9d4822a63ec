/**
 * The server's side of its transfer workers: starts them, hands each accepted request to one
 * and turns what the worker reports into RunnerEvents, as if the transfer ran in this thread.
 */
import type { SocketType } from "node:dgram";
import { Worker } from "node:worker_threads";
import type { ResolvedServerOptions, TftpClient } from "./config.ts";
import { TftpErrorCode, TftpServerError } from "./errors.ts";
import type { TftpRequest } from "./packet.ts";
import type { RunnerEvents, TransferTarget } from "./runner.ts";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-protocol.ts";

const fromSource = import.meta.url.endsWith(".ts");
/** The worker entry next to this module: .ts when run from source, .js once compiled. */
const entry = new URL(fromSource ? "./transfer-worker.ts" : "./transfer-worker.js", import.meta.url);
/**
 * Run from source (tests, benchmarks), the worker loads TypeScript through the repository's
 * loader, whatever runs the server's thread (vitest transforms only its own modules).
 */
const execArgv = fromSource
  ? ["--import", new URL("../../scripts/ts-loader.mjs", import.meta.url).href]
  : undefined;

export class WorkerTarget implements TransferTarget {
  /** Transfers handed over and not ended yet. */
  private readonly running = new Set<number>();
  private stopped: (() => void) | undefined;
  private exited = false;
  /** settle() calls waiting for the worker's answer, by sequence number. */
  private readonly settling = new Map<number, () => void>();
  private nextSettle = 1;

  private constructor(
    private readonly worker: Worker,
    private readonly events: RunnerEvents,
  ) {
    worker.on("message", (message: FromWorker) => this.handle(message));
    worker.on("error", (error) => this.crashed(error));
    worker.on("exit", () => this.crashed(new Error("transfer worker exited")));
  }

  /** Starts a worker; resolves once it runs, rejects when its entry cannot be loaded. */
  static async start(setup: WorkerSetup, events: RunnerEvents): Promise<WorkerTarget> {
    const worker = new Worker(entry, { workerData: setup, execArgv });
    let settle = { ready: () => {}, failed: (_error: Error) => {} };
    const ready = new Promise<void>((resolve, reject) => {
      settle = { ready: resolve, failed: reject };
    });
    const onReady = () => settle.ready();
    const onError = (error: Error) => settle.failed(error);
    const onExit = (code: number) => settle.failed(new Error(`transfer worker exited with ${code}`));
    worker.once("message", onReady).once("error", onError).once("exit", onExit);
    try {
      await ready;
    } catch (error) {
      await worker.terminate();
      throw new TftpServerError("ERR_TFTP_WORKER", `Cannot start a TFTP transfer worker: ${String(error)}`, {
        cause: error,
      });
    } finally {
      worker.off("message", onReady).off("error", onError).off("exit", onExit);
    }
    return new WorkerTarget(worker, events);
  }

  get active(): number {
    return this.running.size;
  }

  run(id: number, request: TftpRequest, client: TftpClient): void {
    this.running.add(id);
    this.post({ type: "run", id, request, client });
  }

  cancel(id: number, reason: string, tellClient: boolean): void {
    if (this.running.has(id)) this.post({ type: "cancel", id, reason, tellClient });
  }

  /** The worker reports a transfer's end before it answers, so `done` comes after `ended`. */
  settle(id: number, done: () => void): void {
    if (this.exited) {
      done();
      return;
    }
    const seq = this.nextSettle++;
    this.settling.set(seq, done);
    this.post({ type: "settle", id, seq });
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      await new Promise<void>((resolve) => {
        this.stopped = resolve;
        this.post({ type: "stop" });
      });
    }
    this.exited = true;
    await this.worker.terminate();
    this.answerSettling();
  }

  private answerSettling(): void {
    const waiting = [...this.settling.values()];
    this.settling.clear();
    for (const done of waiting) done();
  }

  private post(message: ToWorker): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  private handle(message: FromWorker): void {
    const { events } = this;
    switch (message.type) {
      case "prepared":
        events.prepared(message.id, message.options);
        break;
      case "ended":
        this.running.delete(message.id);
        events.ended(message.id, message.summary);
        break;
      case "settled": {
        const done = this.settling.get(message.seq);
        this.settling.delete(message.seq);
        done?.();
        break;
      }
      case "refuse":
        events.refuse(message.client, message.code, message.message);
        break;
      case "stranger":
        events.stranger();
        break;
      case "warn":
        events.warn(message.code, message.message, message.cause);
        break;
      case "stopped":
        this.exited = true;
        this.stopped?.();
        break;
    }
  }

  /** The worker died: its transfers end as failed (their sockets closed with the thread). */
  private crashed(error: Error): void {
    if (this.exited) return;
    this.exited = true;
    this.events.warn("ERR_TFTP_WORKER", `TFTP transfer worker failed: ${error.message}`, error);
    for (const id of this.running) {
      this.events.ended(id, {
        outcome: "failed",
        error: {
          code: "ERR_TFTP_REFUSED",
          tftpCode: TftpErrorCode.NotDefined,
          message: "Transfer worker failed",
        },
        bytes: 0,
        blocks: 0,
        retransmits: 0,
      });
    }
    this.running.clear();
    this.answerSettling();
    this.stopped?.();
  }
}

/** Starts `config.workers` workers (none when 0). */
export async function startWorkers(
  config: ResolvedServerOptions,
  realRoot: string,
  socketType: SocketType,
  events: RunnerEvents,
): Promise<WorkerTarget[]> {
  const { onRead: _hook, ...cloneable } = config;
  const setup: WorkerSetup = { config: cloneable, realRoot, socketType };
  const started = await Promise.allSettled(
    Array.from({ length: config.workers }, () => WorkerTarget.start(setup, events)),
  );
  const workers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failure = started.find((result) => result.status === "rejected");
  if (failure) {
    await Promise.all(workers.map((worker) => worker.stop()));
    throw failure.reason;
  }
  return workers;
}
