import type { CallStats } from "../client/call-stats.ts";
import type { DriverClient } from "../client/client.ts";
import { RecordingTransport } from "../client/recording-transport.ts";
import { buildClientTree } from "../client/tree.ts";
import type { DriversDescription } from "../config/define.ts";
import { DUTKIT_EXPORTER_LABEL, type Transport } from "../core/transport.ts";
import type { ExporterSource } from "../exporter/local.ts";
import type { Session } from "../exporter/session.ts";
import { releaseOnSignal } from "../lease/signal-release.ts";
import type { ExporterRef } from "../usage/index.ts";

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

/** What the way of getting a board knows about it before the client tree is built. */
interface BoardFacts {
  leaseId: string;
  kind: "local" | "remote";
  exporter: { name: string; labels: Record<string, string> };
  selector: string | undefined;
  session: Session | undefined;
}

/** What acquiring a board is told as it goes, for the lease-usage events. */
export interface BoardEvents {
  /** The exporter is known (its config is loaded, or the lease names it); its drivers may still fail. */
  onExporter?: (exporter: ExporterRef) => void;
  /** The board was released, with every call made through it and the error closing it gave, if any. */
  onReleased?: (calls: CallStats, failure: unknown) => void;
}

interface BoardOverOptions extends Pick<BoardEvents, "onReleased"> {
  /** Runs last on release, after the transport is closed and the release told (a lease's deletion). */
  afterRelease?: () => Promise<void>;
}

/**
 * The board over `transport`: its client tree, built from the exporter's report, counts every
 * call. If the report fails, the transport is closed (and `afterRelease` run) before the error
 * is thrown.
 */
export async function boardOver(
  transport: Transport,
  facts: BoardFacts,
  { onReleased, afterRelease }: BoardOverOptions = {},
): Promise<Board> {
  const recording = new RecordingTransport(transport);
  let client: DriverClient;
  let implementation: Board["implementation"];
  try {
    const report = await recording.report();
    implementation = report.labels[DUTKIT_EXPORTER_LABEL] === "dutkit" ? "dutkit" : "jumpstarter";
    client = buildClientTree(report, recording);
  } catch (error) {
    try {
      await transport.close();
    } finally {
      await afterRelease?.();
    }
    throw error;
  }
  let released: Promise<void> | undefined;
  // Ctrl-C, SIGTERM or SIGHUP still closes the drivers of a local session and tells of the release.
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
        onReleased?.(recording.calls.snapshot(), failure);
        try {
          if (failure) throw failure;
        } finally {
          await afterRelease?.();
        }
      })();
      return released;
    },
  };
  return board;
}
