/**
 * Releases held leases when the process is interrupted (SIGINT/SIGTERM/SIGHUP): each release is
 * bounded, then the signal is raised again with our handler gone, so the process ends as it would
 * have. Handlers are installed only while something is held.
 */
const releases = new Set<() => Promise<void>>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const BUDGET_MS = 4000;

function onSignal(signal: NodeJS.Signals): void {
  uninstall();
  const all = Promise.allSettled([...releases].map((release) => release()));
  const timeout = new Promise((resolve) => setTimeout(resolve, BUDGET_MS).unref());
  void Promise.race([all, timeout]).then(() => process.kill(process.pid, signal));
}

function install(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
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
