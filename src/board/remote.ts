import { GrpcTransport } from "../client/grpc/index.ts";
import { DUTKIT_EXPORTER_LABEL, NAME_LABEL, type Transport } from "../core/transport.ts";
import { loadClientConfig } from "../lease/client-config.ts";
import type { HeldLease } from "../lease/held-lease.ts";
import { LeaseClient } from "../lease/lease-client.ts";
import { releaseOnSignal } from "../lease/signal-release.ts";
import { parseDuration, parseDurationAtLeast } from "../protocol/duration.ts";
import { type Board, type BoardEvents, boardOver } from "./board.ts";

/** How long a fixture waits for a board by default, when neither its option nor the env var says. */
export const DEFAULT_LEASE_WAIT_TIMEOUT_MS = 10 * 60_000;
/** The longest silence between "waiting for lease" lines, by default. */
export const DEFAULT_LEASE_WAIT_PROGRESS_MS = 30_000;

/** How long to wait for a board, and how often to say so. */
export interface LeaseWait {
  /** Give up waiting for a free board after this long; default DUTKIT_LEASE_WAIT_TIMEOUT, else 10 min. */
  timeoutMs?: number;
  /** A progress line at least this often while waiting; default DUTKIT_LEASE_WAIT_PROGRESS, else 30 s. */
  progressEveryMs?: number;
}

/**
 * The lease wait in force: the explicit option, else `DUTKIT_LEASE_WAIT_TIMEOUT` /
 * `DUTKIT_LEASE_WAIT_PROGRESS` (durations: 90, 10m, PT1M, 0.2), else the defaults.
 */
export function leaseWaitOf(
  wait: LeaseWait = {},
  env: Record<string, string | undefined> = process.env,
): Required<LeaseWait> {
  const fromEnv = (name: string) => {
    const text = env[name];
    return text ? Math.round(parseDurationAtLeast(text, 0.1, name) * 1000) : undefined;
  };
  return {
    timeoutMs: wait.timeoutMs ?? fromEnv("DUTKIT_LEASE_WAIT_TIMEOUT") ?? DEFAULT_LEASE_WAIT_TIMEOUT_MS,
    progressEveryMs:
      wait.progressEveryMs ?? fromEnv("DUTKIT_LEASE_WAIT_PROGRESS") ?? DEFAULT_LEASE_WAIT_PROGRESS_MS,
  };
}

export interface LeaseBoardOptions extends BoardEvents {
  /** The id to create the lease under, so usage events and the controller agree. */
  leaseId?: string;
  /** "waiting for lease …" lines; default: stderr. */
  onProgress?: (line: string) => void;
  /** The wait for a free board (see leaseWaitOf). */
  wait?: LeaseWait;
  /** Stops the wait; the waiting lease is deleted. */
  signal?: AbortSignal;
}

/**
 * Leases a board by selector: the client config in the CLI's order (falling back to the alias
 * "default", as JumpstarterTest does), `JMP_LEASE` reused when set (and kept),
 * `DUTKIT_LEASE_DURATION` (default 30m); the wait for a free board is bounded (leaseWaitOf) and
 * abortable, its lease deleted on every way out; the lease's end is watched (calls in flight then
 * fail with LeaseEndedError), and Ctrl-C releases it. Releasing the board deletes a lease made here.
 */
export async function leaseBoard(selector: string, options: LeaseBoardOptions = {}): Promise<Board> {
  const env = process.env;
  const client = new LeaseClient(await loadClientConfig({ fallbackAlias: "default" }, env));
  const wait = leaseWaitOf(options.wait, env);
  let held: HeldLease;
  try {
    held = await client.acquire({
      acquisitionTimeoutS: wait.timeoutMs / 1000,
      progressEveryMs: wait.progressEveryMs,
      ...(options.signal ? { signal: options.signal } : {}),
      selector,
      ...(env.JMP_LEASE ? { leaseName: env.JMP_LEASE } : {}),
      ...(options.leaseId ? { leaseId: options.leaseId } : {}),
      durationS: env.DUTKIT_LEASE_DURATION ? parseDuration(env.DUTKIT_LEASE_DURATION) : 1800,
      onProgress: options.onProgress ?? ((line) => process.stderr.write(`dutkit: ${line}\n`)),
    });
  } catch (error) {
    client.close();
    throw error;
  }
  const exporter = { name: held.exporterName, labels: held.exporterLabels };
  options.onExporter?.(exporter);
  let transport: Transport | undefined;
  let released: Promise<void> | undefined;
  const releaseLease = () => {
    released ??= (async () => {
      unregister();
      await transport?.close().catch(() => {});
      await held.release();
      client.close();
    })();
    return released;
  };
  // Until the board exists, an interruption still deletes the lease.
  const unregister = releaseOnSignal(releaseLease);
  try {
    held.watch();
    transport = await held.connect();
  } catch (error) {
    await releaseLease();
    throw error;
  }
  return boardOver(
    transport,
    { leaseId: options.leaseId ?? held.id, kind: "remote", exporter, selector, session: undefined },
    { ...(options.onReleased ? { onReleased: options.onReleased } : {}), afterRelease: releaseLease },
  );
}

/** `JUMPSTARTER_HOST` names an exporter session someone else holds the lease for (as `jmp shell` does). */
export async function connectHostBoard(
  host: string,
  leaseId: string,
  selector: string | undefined,
  events: Pick<BoardEvents, "onReleased"> = {},
): Promise<Board> {
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
    { leaseId, kind: "remote", exporter: { name: name ?? host, labels }, selector, session: undefined },
    events,
  );
}
