import { deleteLeaseSync } from "./delete-on-exit.ts";
import type { LeaseCalls } from "./lease-calls.ts";
import type { LeaseInfo } from "./lease-info.ts";
import { releaseOnSignal } from "./signal-release.ts";

/** Deletes a lease that is being created or waits, whichever way the wait ends. */
export interface PendingLeaseGuard {
  /** Deletes the lease now (once; errors are swallowed: it may have ended already). */
  deleteNow(): Promise<void>;
  /** Stops guarding: the lease is held (or gone), and its holder takes over. */
  dispose(): void;
}

/**
 * Guards the lease `creating` will yield: on SIGINT/SIGTERM/SIGHUP or the loss of the IPC parent
 * it is deleted before the process ends (signal-release), and on the process's exit synchronously
 * (deleteLeaseSync), since an exit handler runs no async work. `chosenId`, the id the lease was
 * asked for under, lets an exit delete it before CreateLease has answered (a runner may end its
 * worker that soon after a signal).
 */
export function guardPendingLease(
  client: LeaseCalls,
  creating: Promise<LeaseInfo>,
  chosenId?: string,
): PendingLeaseGuard {
  let id = chosenId;
  let deleted: Promise<void> | undefined;
  let confirmed = false;
  creating.then(
    (info) => {
      id = info.id;
    },
    () => {},
  );
  const deleteNow = () => {
    deleted ??= (async () => {
      const info = await creating.catch(() => undefined);
      if (info) await client.delete(info.id).catch(() => {});
      confirmed = true;
    })();
    return deleted;
  };
  const onExit = () => {
    if (id && !confirmed) deleteLeaseSync(client.clients.identity, client.leaseName(id));
  };
  const unregister = releaseOnSignal(deleteNow);
  process.on("exit", onExit);
  return {
    deleteNow,
    dispose() {
      unregister();
      process.off("exit", onExit);
    },
  };
}
