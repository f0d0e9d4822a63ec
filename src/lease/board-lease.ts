import { parseDuration, parseDurationAtLeast } from "../protocol/duration.ts";
import { loadClientConfig } from "./client-config.ts";
import type { HeldLease, LeaseEndedError, LeaseTransport } from "./held-lease.ts";
import { LeaseClient } from "./lease-client.ts";
import { releaseOnSignal } from "./signal-release.ts";

export interface RemoteBoardLease {
  held: HeldLease;
  transport: LeaseTransport;
  /** Closes the connection and deletes the lease if it was created here. Idempotent. */
  release(): Promise<void>;
}

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

export interface RemoteBoardOptions {
  /** The id to create the lease under, so usage events and the controller agree. */
  leaseId?: string;
  env?: Record<string, string | undefined>;
  /** "waiting for lease …" lines; default: stderr. */
  onProgress?: (line: string) => void;
  /** The wait for a free board (see leaseWaitOf). */
  wait?: LeaseWait;
  /** Stops the wait; the waiting lease is deleted. */
  signal?: AbortSignal;
  onEnd?: (error: LeaseEndedError) => void;
}

/**
 * Leases a board by selector for a test fixture: the client config in the CLI's order (falling
 * back to the alias "default", as JumpstarterTest does), `JMP_LEASE` reused when set (and kept),
 * `DUTKIT_LEASE_DURATION` (default 30m); the wait for a free board is bounded (leaseWaitOf) and
 * abortable, its lease deleted on every way out; the lease's end is watched, and Ctrl-C releases it.
 */
export async function leaseRemoteBoard(
  selector: string,
  options: RemoteBoardOptions = {},
): Promise<RemoteBoardLease> {
  const env = options.env ?? process.env;
  const config = await loadClientConfig({ fallbackAlias: "default" }, env);
  const client = new LeaseClient(config);
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
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= (async () => {
      unregister();
      await transport?.close().catch(() => {});
      await held.release();
      client.close();
    })();
    return released;
  };
  const unregister = releaseOnSignal(release);
  let transport: LeaseTransport | undefined;
  try {
    held.watch({ ...(options.onEnd ? { onEnd: options.onEnd } : {}) });
    transport = await held.connect();
  } catch (error) {
    await release();
    throw error;
  }
  return { held, transport, release };
}
