import { randomUUID } from "node:crypto";
import type { DriverClient } from "../client/client.ts";
import type { LoadedExporterConfig } from "../config/types.ts";
import { messageOf } from "../core/errors.ts";
import {
  type ExporterRef,
  type LeaseScope,
  leaseHolder,
  type Runner,
  recordLeaseEvent,
} from "../usage/index.ts";
import type { Board, BoardEvents, BoardSource, SharedBoard } from "./board.ts";
import { openLocalBoard } from "./local.ts";
import { connectHostBoard, type LeaseWait, leaseBoard } from "./remote.ts";
import { connectSharedBoard } from "./shared.ts";

export type { Board, BoardSource, SharedBoard } from "./board.ts";

export interface AcquireOptions {
  runner: Runner;
  scope: LeaseScope;
  /**
   * A board already held for the whole run (served by `dutkit/vitest/global-setup`): connect to it
   * instead of opening a session of our own. Its lease is the run's; releasing only disconnects.
   */
  shared?: SharedBoard;
  /**
   * `source.exporter` as loaded and checked already (when the test file was collected): a local
   * session is opened from it instead of reading and checking the config again.
   */
  loaded?: LoadedExporterConfig | undefined;
  /** The test file that asks for the board, for the lease-usage report. */
  file?: string | undefined;
  /** For a board leased by selector: how long to wait for a free one, how often to say so. */
  leaseWait?: LeaseWait;
  /** Stops a wait for a leased board (its waiting lease is deleted). */
  signal?: AbortSignal;
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
    return (await connectSharedBoard(options.shared, source.selector)) as Board<C>;
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
  let known: ExporterRef | undefined;
  const events: Required<BoardEvents> = {
    onExporter: (exporter) => {
      known = exporter;
    },
    onReleased: (calls, failure) =>
      recordLeaseEvent({
        type: "lease-released",
        leaseId,
        at: new Date().toISOString(),
        calls,
        ...(failure ? { error: messageOf(failure) } : {}),
      }),
  };
  try {
    const board = host
      ? await connectHostBoard(host, leaseId, source.selector, events)
      : leased
        ? await leaseBoard(source.selector!, {
            leaseId,
            ...events,
            ...(options.leaseWait ? { wait: options.leaseWait } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          })
        : await openLocalBoard(leaseId, source, options.loaded, events);
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
      ...(known ? { exporter: known } : {}),
    });
    throw error;
  }
}
