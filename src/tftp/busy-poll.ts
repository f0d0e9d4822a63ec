/**
 * Keeps the event loop polling for a short while after a packet went to a client that answers
 * within microseconds (loopback, fast LAN), instead of letting the process sleep in epoll.
 * Waking a sleeping process costs more than the rest of a lock-step round trip there. A client
 * answering slower than the budget never triggers polling, so slow links cost no CPU; nor do
 * more transfers than spare processors, where polling would take CPU time from the clients.
 */
import { availableParallelism } from "node:os";

export class BusyPoller {
  private until = 0;
  private pending: NodeJS.Immediate | undefined;
  private readonly maxPolledTransfers = Math.max(1, availableParallelism() - 1);
  private readonly tick = () => {
    this.pending = performance.now() < this.until ? setImmediate(this.tick) : undefined;
  };

  constructor(
    private readonly budgetMs: number,
    private readonly activeTransfers: () => number,
  ) {}

  /** Expects an answer from a client whose smoothed round trip is `roundTripMs`. */
  expectAnswer(roundTripMs: number | undefined): void {
    if (roundTripMs === undefined || roundTripMs > this.budgetMs) return;
    if (this.activeTransfers() > this.maxPolledTransfers) return;
    this.until = performance.now() + this.budgetMs;
    this.pending ??= setImmediate(this.tick);
  }

  stop(): void {
    this.until = 0;
    clearImmediate(this.pending);
    this.pending = undefined;
  }
}
