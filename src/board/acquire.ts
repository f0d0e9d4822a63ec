import { randomUUID } from "node:crypto";
import type { CallStats } from "../client/call-stats.ts";
import type { DriverClient } from "../client/client.ts";
import { RecordingTransport } from "../client/recording-transport.ts";
import type { Transport } from "../client/transport.ts";
import { buildClientTree } from "../client/tree.ts";
import { DutkitError, messageOf } from "../core/errors.ts";
import { type ExporterSource, loadExporter } from "../exporter/local.ts";
import { Session } from "../exporter/session.ts";
import { type LeaseScope, type Runner, recordLeaseEvent } from "../usage/index.ts";

/** Where a board comes from. The order of choice is documented on `acquireBoard`. */
export interface BoardSource {
  /** A local exporter config: YAML path, file URL, or a `defineExporter` object. */
  exporter?: ExporterSource;
  /** A label selector (`board=rpi4,!busy`) to lease a remote board by. */
  selector?: string;
}

export interface AcquireOptions {
  runner: Runner;
  scope: LeaseScope;
}

/** A board held by a test run: a lease (local or remote), its client tree and what was called. */
export interface Board<C = DriverClient> {
  readonly leaseId: string;
  readonly kind: "local" | "remote";
  readonly exporter: { name: string; labels: Record<string, string> };
  readonly selector: string | undefined;
  readonly client: C;
  /** The local session, for tests that want to look at drivers directly; undefined when remote. */
  readonly session: Session | undefined;
  /** Calls made through this board's client so far. */
  calls(): CallStats;
  /** Calls made since `before` (a value returned by `calls()`). */
  callsSince(before: CallStats): CallStats;
  /** Ends the lease: closes the client and, for a local session, every driver. Idempotent. */
  release(): Promise<void>;
}

export class UnsupportedSourceError extends DutkitError {
  constructor(message: string) {
    super("ERR_DUTKIT_UNSUPPORTED_SOURCE", message);
  }
}

/**
 * Acquires a board. The order of choice:
 * 1. `JUMPSTARTER_HOST` is set → connect to that exporter session (as inside `jmp shell`);
 * 2. a `selector` is given → lease a remote board by label selector;
 * 3. else the local exporter config → a fresh local session.
 */
export async function acquireBoard<C = DriverClient>(
  source: BoardSource,
  options: AcquireOptions,
): Promise<Board<C>> {
  const leaseId = `local-${randomUUID().slice(0, 8)}`;
  const requestedAt = new Date();
  recordLeaseEvent({
    type: "lease-requested",
    leaseId,
    at: requestedAt.toISOString(),
    kind: "local",
    runner: options.runner,
    scope: options.scope,
    ...(source.selector ? { selector: source.selector } : {}),
  });
  try {
    if (process.env.JUMPSTARTER_HOST) {
      throw new UnsupportedSourceError(
        `JUMPSTARTER_HOST is set (${process.env.JUMPSTARTER_HOST}), but connecting to a remote exporter is not supported yet; unset it to use the local exporter config`,
      );
    }
    if (source.selector !== undefined && source.exporter === undefined) {
      throw new UnsupportedSourceError(
        `leasing a board by selector (${source.selector}) is not supported yet; give an exporter config to run against a local exporter`,
      );
    }
    if (source.exporter === undefined) {
      throw new DutkitError(
        "ERR_DUTKIT_NO_BOARD",
        "no board to test: give an exporter config (exporter: './exporter.yaml' or defineExporter({...})) or a selector",
      );
    }
    const loaded = await loadExporter(source.exporter);
    const session = await Session.open(loaded);
    const board = await boardOver(session, {
      leaseId,
      kind: "local",
      exporter: { name: session.name, labels: session.labels },
      selector: source.selector,
      session,
    });
    recordLeaseEvent({
      type: "lease-acquired",
      leaseId,
      at: new Date().toISOString(),
      exporter: board.exporter,
    });
    return board as Board<C>;
  } catch (error) {
    recordLeaseEvent({
      type: "lease-failed",
      leaseId,
      at: new Date().toISOString(),
      error: messageOf(error),
    });
    throw error;
  }
}

interface BoardFacts {
  leaseId: string;
  kind: "local" | "remote";
  exporter: { name: string; labels: Record<string, string> };
  selector: string | undefined;
  session: Session | undefined;
}

async function boardOver(transport: Transport, facts: BoardFacts): Promise<Board> {
  const recording = new RecordingTransport(transport);
  let client: DriverClient;
  try {
    client = buildClientTree(await recording.report(), recording);
  } catch (error) {
    await transport.close();
    throw error;
  }
  let released: Promise<void> | undefined;
  return {
    ...facts,
    client,
    calls: () => recording.calls.snapshot(),
    callsSince: (before) => recording.calls.since(before),
    release() {
      released ??= (async () => {
        let failure: unknown;
        try {
          await recording.close();
        } catch (error) {
          failure = error;
        }
        recordLeaseEvent({
          type: "lease-released",
          leaseId: facts.leaseId,
          at: new Date().toISOString(),
          calls: recording.calls.snapshot(),
          ...(failure ? { error: messageOf(failure) } : {}),
        });
        if (failure) throw failure;
      })();
      return released;
    },
  };
}
