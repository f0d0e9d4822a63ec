/**
 * Releases held leases and boards when the process is interrupted (SIGINT/SIGTERM/SIGHUP, and on
 * request the loss of its IPC parent): each release is bounded, then the signal is raised again
 * with our handler gone, so the process ends as it would have. Handlers are installed only while
 * something is held.
 */
const releases = new Set<() => Promise<void>>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const BUDGET_MS = 4000;
let orphanWatch = false;

function onSignal(signal: NodeJS.Signals): void {
  uninstall();
  if (orphanWatch) outliveTheParent();
  const all = Promise.allSettled([...releases].map((release) => release()));
  const timeout = new Promise((resolve) => setTimeout(resolve, BUDGET_MS).unref());
  void Promise.race([all, timeout]).then(() => process.kill(process.pid, signal));
}

/**
 * A runner's worker may exit at its first failed send to a parent that is gone (vitest's fork
 * worker does, on ERR_IPC_CHANNEL_CLOSED), which would cut the releases short. Once a signal has
 * come, such sends are expected to fail: they are ignored until the releases are done and the
 * signal ends the process.
 */
function outliveTheParent(): void {
  const expected = (error: NodeJS.ErrnoException) => {
    if (error.code !== "ERR_IPC_CHANNEL_CLOSED" && error.code !== "EPIPE") throw error;
  };
  process.removeAllListeners("error");
  process.on("error", expected);
  // Output to a parent that is gone fails the same way.
  process.stdout.on("error", expected);
  process.stderr.on("error", expected);
}

/** The parent that forked this process closed its IPC channel: it is gone, as if it had sent SIGTERM. */
function onDisconnect(): void {
  onSignal("SIGTERM");
}

function install(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
  if (orphanWatch && process.connected) process.on("disconnect", onDisconnect);
}

function uninstall(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off("disconnect", onDisconnect);
}

/** Registers a release to run on interruption; returns the unregister function. */
export function releaseOnSignal(release: () => Promise<void>): () => void {
  if (releases.size === 0) install();
  releases.add(release);
  return () => {
    releases.delete(release);
    if (releases.size === 0) uninstall();
  };
}

/**
 * Also treats the loss of this process's IPC parent as an interruption (SIGTERM), for test
 * workers whose runner does not notice it: `kill <pid>` of `vitest run` ends vitest at once and
 * leaves its fork workers running on their own, holding their boards until the tests time out.
 */
export function releaseWhenOrphaned(): void {
  if (orphanWatch) return;
  orphanWatch = true;
  if (releases.size > 0 && process.connected) process.on("disconnect", onDisconnect);
}
