import { loadClientConfig } from "./client-config.ts";
import { parseDuration } from "./duration.ts";
import type { HeldLease, LeaseEndedError, LeaseTransport } from "./held-lease.ts";
import { LeaseClient } from "./lease-client.ts";
import { releaseOnSignal } from "./signal-release.ts";

export interface RemoteBoardLease {
  held: HeldLease;
  transport: LeaseTransport;
  /** Closes the connection and deletes the lease if it was created here. Idempotent. */
  release(): Promise<void>;
}

export interface RemoteBoardOptions {
  /** The id to create the lease under, so usage events and the controller agree. */
  leaseId?: string;
  env?: Record<string, string | undefined>;
  /** "Waiting for lease …" lines; default: stderr. */
  onProgress?: (line: string) => void;
  onEnd?: (error: LeaseEndedError) => void;
}

/**
 * Leases a board by selector for a test fixture: the client config in the CLI's order (falling
 * back to the alias "default", as JumpstarterTest does), `JMP_LEASE` reused when set (and kept),
 * `DUTKIT_LEASE_DURATION` (default 30m); the lease's end is watched, and Ctrl-C releases it.
 */
export async function leaseRemoteBoard(
  selector: string,
  options: RemoteBoardOptions = {},
): Promise<RemoteBoardLease> {
  const env = options.env ?? process.env;
  const config = await loadClientConfig({ fallbackAlias: "default" }, env);
  const client = new LeaseClient(config);
  let held: HeldLease;
  try {
    held = await client.acquire({
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
