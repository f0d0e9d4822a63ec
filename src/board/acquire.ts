import { randomUUID } from "node:crypto";
import type { CallStats } from "../client/call-stats.ts";
import type { DriverClient } from "../client/client.ts";
import { GrpcTransport } from "../client/grpc/index.ts";
import { RecordingTransport } from "../client/recording-transport.ts";
import { buildClientTree } from "../client/tree.ts";
import type { DriversDescription } from "../config/define.ts";
import { DutkitError, messageOf } from "../core/errors.ts";
import { DUTKIT_EXPORTER_LABEL, NAME_LABEL, type Transport } from "../core/transport.ts";
import { type ExporterSource, loadExporter } from "../exporter/local.ts";
import { Session } from "../exporter/session.ts";
import { type LeaseWait, leaseRemoteBoard } from "../lease/board-lease.ts";
import { releaseOnSignal } from "../lease/signal-release.ts";
import {
  type ExporterRef,
  type LeaseScope,
  leaseHolder,
  type Runner,
  recordLeaseEvent,
} from "../usage/index.ts";

/** Where a board comes from. The order of choice is documented on `acquireBoard`. */
export interface BoardSource {
  /** A local exporter config: YAML path, file URL, or a `defineExporter` object. */
  exporter?: ExporterSource;
  /** A label selector (`board=rpi4,!busy`) to lease a remote board by. */
  selector?: string;
  /**
   * The board's top-level driver names, for the fixtures (`({ power })`) of a board whose config
   * is not at hand (a selector, a run-scope board): a list, or the description `dutkit types`
   * generates from a YAML config, which types the client tree as well.
   */
  drivers?: readonly string[] | DriversDescription;
}

export interface AcquireOptions {
  runner: Runner;
  scope: LeaseScope;
  /**
   * A board already held for the whole run (served by `dutkit/vitest/global-setup`): connect to it
   * instead of opening a session of our own. Its lease is the run's; releasing only disconnects.
   */
  shared?: SharedBoard;
  /** The test file that asks for the board, for the lease-usage report. */
  file?: string | undefined;
  /** For a board leased by selector: how long to wait for a free one, how often to say so. */
  leaseWait?: LeaseWait;
  /** Stops a wait for a leased board (its waiting lease is deleted). */
  signal?: AbortSignal;
}

/** How a worker reaches the board that global setup holds for the run. */
export interface SharedBoard {
  /** A unix socket path or `host:port`, as in `JUMPSTARTER_HOST`. */
  address: string;
  leaseId: string;
  exporter: { name: string; labels: Record<string, string> };
  /** Its top-level driver names: each file gets a fixture per name. */
  drivers: string[];
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
  /**
   * Whose exporter serves the board: dutkit's, or another that speaks Jumpstarter's protocol (such
   * as Jumpstarter's own), where the methods the README lists as dutkit's own are missing.
   */
  readonly implementation: "dutkit" | "jumpstarter";
  /** What the client talks through, counting calls; serve it to share the board with other processes. */
  readonly transport: Transport;
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
 * 2. a `selector` is given → lease a remote board by label selector from the controller of the
 *    client config (spec 3 loading order; `JMP_LEASE` reuses a lease), over the router tunnel;
 * 3. a board shared for the run (`options.shared`) → connect to it;
 * 4. else the local exporter config → a fresh local session.
 */
export async function acquireBoard<C = DriverClient>(
  source: BoardSource,
  options: AcquireOptions,
): Promise<Board<C>> {
  const host = process.env.JUMPSTARTER_HOST;
  if (!host && source.selector === undefined && options.shared) {
    return (await connectShared(options.shared, source)) as Board<C>;
  }
  const leased = !host && source.selector !== undefined;
  const leaseId = leased
    ? (process.env.JMP_LEASE ?? randomUUID())
    : `${host ? "remote" : "local"}-${randomUUID().slice(0, 8)}`;
  recordLeaseEvent({
    type: "lease-requested",
    leaseId,
    at: new Date().toISOString(),
    kind: host || leased ? "remote" : "local",
    runner: options.runner,
    holder: leaseHolder(),
    scope: options.scope,
    ...(source.selector ? { selector: source.selector } : {}),
    ...(options.file ? { file: options.file } : {}),
  });
  // The board as far as it is known, for the lease-failed event when a later step fails.
  const known: { exporter?: ExporterRef } = {};
  try {
    const board = host
      ? await connectHost(host, leaseId, source)
      : leased
        ? await leaseBySelector(leaseId, source.selector!, options, known)
        : await openLocal(leaseId, source, known);
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
      ...(known.exporter ? { exporter: known.exporter } : {}),
    });
    throw error;
  }
}

/** A lease from the controller by label selector; the lease's end fails calls in flight clearly. */
async function leaseBySelector(
  leaseId: string,
  selector: string,
  options: AcquireOptions,
  known: { exporter?: ExporterRef },
): Promise<Board> {
  const remote = await leaseRemoteBoard(selector, {
    leaseId,
    ...(options.leaseWait ? { wait: options.leaseWait } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  known.exporter = { name: remote.held.exporterName, labels: remote.held.exporterLabels };
  let board: Board;
  try {
    board = await boardOver(
      remote.transport,
      {
        leaseId,
        kind: "remote",
        exporter: { name: remote.held.exporterName, labels: remote.held.exporterLabels },
        selector,
        session: undefined,
      },
      { recordRelease: true },
    );
  } catch (error) {
    await remote.release();
    throw error;
  }
  const release = board.release;
  return {
    ...board,
    release: async () => {
      try {
        await release();
      } finally {
        await remote.release();
      }
    },
  };
}

async function openLocal(
  leaseId: string,
  source: BoardSource,
  known: { exporter?: ExporterRef },
): Promise<Board> {
  if (source.exporter === undefined) {
    throw new DutkitError(
      "ERR_DUTKIT_NO_BOARD",
      "no board to test: give an exporter config (exporter: './exporter.yaml' or defineExporter({...})), or set JUMPSTARTER_HOST",
    );
  }
  const loaded = await loadExporter(source.exporter);
  const { name, labels = {} } = loaded.config.metadata;
  known.exporter = { name, labels: { ...labels } };
  const session = await Session.open(loaded);
  return boardOver(
    session,
    {
      leaseId,
      kind: "local",
      exporter: { name: session.name, labels: session.labels },
      selector: source.selector,
      session,
    },
    { recordRelease: true },
  );
}

/** `JUMPSTARTER_HOST` names an exporter session someone else holds the lease for (as `jmp shell` does). */
async function connectHost(host: string, leaseId: string, source: BoardSource): Promise<Board> {
  const transport = await GrpcTransport.connect(host);
  let report: Awaited<ReturnType<Transport["report"]>>;
  try {
    report = await transport.report();
  } catch (error) {
    await transport.close();
    throw error;
  }
  const { [NAME_LABEL]: name, [DUTKIT_EXPORTER_LABEL]: _implementation, ...labels } = report.labels;
  return boardOver(
    transport,
    {
      leaseId,
      kind: "remote",
      exporter: { name: name ?? host, labels },
      selector: source.selector,
      session: undefined,
    },
    { recordRelease: true },
  );
}

async function connectShared(shared: SharedBoard, source: BoardSource): Promise<Board> {
  const transport = await GrpcTransport.connect(shared.address);
  return boardOver(
    transport,
    {
      leaseId: shared.leaseId,
      kind: "local",
      exporter: shared.exporter,
      selector: source.selector,
      session: undefined,
    },
    // The lease is global setup's: it records the release, with every worker's calls.
    { recordRelease: false },
  );
}

interface BoardFacts {
  leaseId: string;
  kind: "local" | "remote";
  exporter: { name: string; labels: Record<string, string> };
  selector: string | undefined;
  session: Session | undefined;
}

async function boardOver(
  transport: Transport,
  facts: BoardFacts,
  { recordRelease }: { recordRelease: boolean },
): Promise<Board> {
  const recording = new RecordingTransport(transport);
  let client: DriverClient;
  let implementation: Board["implementation"];
  try {
    const report = await recording.report();
    implementation = report.labels[DUTKIT_EXPORTER_LABEL] === "dutkit" ? "dutkit" : "jumpstarter";
    client = buildClientTree(report, recording);
  } catch (error) {
    await transport.close();
    throw error;
  }
  let released: Promise<void> | undefined;
  // Ctrl-C, SIGTERM or SIGHUP still closes the drivers of a local session and records the release.
  const unregister = releaseOnSignal(() => board.release());
  const board: Board = {
    ...facts,
    implementation,
    client,
    transport: recording,
    calls: () => recording.calls.snapshot(),
    callsSince: (before) => recording.calls.since(before),
    release() {
      released ??= (async () => {
        unregister();
        let failure: unknown;
        try {
          await recording.close();
        } catch (error) {
          failure = error;
        }
        if (recordRelease) {
          recordLeaseEvent({
            type: "lease-released",
            leaseId: facts.leaseId,
            at: new Date().toISOString(),
            calls: recording.calls.snapshot(),
            ...(failure ? { error: messageOf(failure) } : {}),
          });
        }
        if (failure) throw failure;
      })();
      return released;
    },
  };
  return board;
}
