import { setTimeout as sleep } from "node:timers/promises";
import { messageOf } from "../core/errors.ts";
import { ControllerError } from "../protocol/controller-client.ts";
import { formatDuration } from "../protocol/duration.ts";
import type { LeaseCalls } from "./lease-calls.ts";
import { LeaseError, LeaseWaitAbortedError, LeaseWaitTimeoutError } from "./lease-errors.ts";
import { describeHolders, type MatchingExporter, matchingExporters } from "./lease-holders.ts";
import type { LeaseInfo } from "./lease-info.ts";

/** The progress period when none is given: a line at least this often while a lease waits. */
export const DEFAULT_PROGRESS_EVERY_MS = 30_000;
/** How often the holders of the matching exporters are looked up while nothing changes. */
const HOLDERS_EVERY_MS = 5_000;
/**
 * After the controller's message changed (a lease ahead took a board, one was released), the
 * holders are looked up again on each of this many polls while a matching exporter shows no
 * holder yet: the board is being handed over, and the next line should name its new holder.
 */
const HANDOVER_CHECKS = 20;

export interface LeaseWaitOptions {
  /** Give up after this long (seconds). */
  timeoutS: number;
  /** GetLease period (ms). */
  pollMs: number;
  /** A progress line at least this often (ms), besides one on every change. */
  progressEveryMs: number;
  /** What was asked for, for the lines and the error: the selector and/or an exporter name. */
  selector?: string;
  exporterName?: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** `20s`, `1m30s`, `0.2s`. */
const seconds = (s: number) => (s >= 1 ? formatDuration(s) : `${s}s`);

const isUnavailable = (error: unknown) => error instanceof ControllerError && error.grpcCode === 14;

function wanted(options: LeaseWaitOptions): string {
  return (
    [
      options.selector && `selector "${options.selector}"`,
      options.exporterName && `exporter "${options.exporterName}"`,
    ]
      .filter(Boolean)
      .join(" and ") || "the lease"
  );
}

function aborted(info: LeaseInfo, options: LeaseWaitOptions): LeaseWaitAbortedError {
  const reason = options.signal?.reason;
  return new LeaseWaitAbortedError(
    `stopped waiting for lease ${info.id} (${wanted(options)}): ${reason === undefined ? "aborted" : messageOf(reason)}; the waiting lease is deleted`,
    { cause: reason },
  );
}

/** Resolves when `signal` aborts or `ms` pass; never rejects. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return sleep(ms, undefined, signal ? { signal } : {}).catch(() => {});
}

/** Runs `work`, or rejects as soon as `signal` aborts (the call itself is bounded by its deadline). */
function unlessAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(onAbort());
  let stop = () => {};
  const abort = new Promise<never>((_, reject) => {
    const listener = () => reject(onAbort());
    signal.addEventListener("abort", listener, { once: true });
    stop = () => signal.removeEventListener("abort", listener);
  });
  return Promise.race([work, abort]).finally(stop);
}

/**
 * Waits until a lease is Ready, bounded by `timeoutS` and `signal`. Progress: a line when the
 * controller's message (its queue position) or the holders of the matching exporters change, and
 * at least every `progressEveryMs`. Unsatisfiable, Invalid and ended leases fail at once. The
 * caller deletes the lease when this throws.
 */
export async function waitForReady(
  client: LeaseCalls,
  initial: LeaseInfo,
  options: LeaseWaitOptions,
): Promise<LeaseInfo> {
  const started = Date.now();
  const deadline = started + options.timeoutS * 1000;
  const holdersEveryMs = Math.max(options.pollMs, Math.min(HOLDERS_EVERY_MS, options.progressEveryMs));
  const onAbort = () => aborted(info, options);
  let info = initial;
  let exporters: MatchingExporter[] | undefined;
  let holdersAt = Number.NEGATIVE_INFINITY;
  let lookedUpFor: string | undefined;
  let handoverChecks = 0;
  let said = "";
  let saidAt = Number.NEGATIVE_INFINITY;
  let backoffMs = 250;
  const lookUpHolders = async () => {
    exporters = await unlessAborted(
      matchingExporters(client, info, options.exporterName),
      options.signal,
      onAbort,
    ).catch((error) => {
      if (error instanceof LeaseWaitAbortedError) throw error;
      return exporters;
    });
    holdersAt = Date.now();
  };
  for (let round = 0; round < 1_000_000; round++) {
    if (options.signal?.aborted) throw onAbort();
    switch (info.state) {
      case "ready":
        return info;
      case "unsatisfiable":
        throw new LeaseError(
          `the lease cannot be satisfied: ${info.message}; change the selector or add a matching exporter`,
        );
      case "invalid":
        throw new LeaseError(`the lease is invalid: ${info.message}`);
      case "ended":
        throw new LeaseError(`lease ${info.id} ended before it was ready: ${info.message}`);
      case "pending":
        break;
    }
    const messageChanged = info.message !== lookedUpFor;
    const handingOver = handoverChecks > 0 && exporters?.some((e) => e.online && !e.heldBy) === true;
    if (messageChanged || handingOver || Date.now() - holdersAt >= holdersEveryMs) {
      if (messageChanged) handoverChecks = HANDOVER_CHECKS;
      else if (handingOver) handoverChecks--;
      lookedUpFor = info.message;
      await lookUpHolders();
    }
    const now = Date.now();
    const state = `${info.message}; ${exporters ? describeHolders(exporters) : "holders unknown"}`;
    if (state !== said || now - saidAt >= options.progressEveryMs) {
      said = state;
      saidAt = now;
      const waited = seconds(Math.round((now - started) / 1000));
      options.onProgress?.(
        `waiting for lease ${info.id} (${wanted(options)}), ${waited} of ${seconds(options.timeoutS)}: ${state}`,
      );
    }
    const left = deadline - now;
    if (left <= 0) break;
    await pause(
      Math.min(options.pollMs, left, Math.max(options.progressEveryMs - (now - saidAt), 1)),
      options.signal,
    );
    if (options.signal?.aborted) throw onAbort();
    try {
      info = await unlessAborted(client.get(info.id), options.signal, onAbort);
      backoffMs = 250;
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      await pause(Math.min(backoffMs, Math.max(deadline - Date.now(), 0)), options.signal);
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }
  await lookUpHolders();
  throw timedOut(info, exporters ?? [], options);
}

function timedOut(
  info: LeaseInfo,
  exporters: MatchingExporter[],
  options: LeaseWaitOptions,
): LeaseWaitTimeoutError {
  const holders = exporters.map((e) => e.heldBy?.id).filter((id): id is string => Boolean(id));
  const free = holders.length > 0 ? ` (their holders: dutkit lease delete ${holders.join(" ")})` : "";
  return new LeaseWaitTimeoutError(
    `waiting for a board timed out after ${seconds(options.timeoutS)}: no exporter matching ${wanted(options)} became free; ` +
      `${describeHolders(exporters)}; the controller says: ${info.message || "still pending"}. ` +
      `The waiting lease ${info.id} is deleted. Wait longer (the fixture option leaseWaitTimeoutMs, DUTKIT_LEASE_WAIT_TIMEOUT, or --acquisition-timeout), ` +
      `free a matching exporter${free}, or add one`,
    info.id,
    exporters,
  );
}
