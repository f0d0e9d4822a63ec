/**
 * Long-lived calls (log streams, streaming driver calls, byte streams) that must be ended when the
 * server closes, or a graceful shutdown would wait for them forever.
 */
export class CallTracker {
  private readonly stops = new Set<() => void>();

  /** Registers how to end a call; the returned function unregisters it once the call is over. */
  track(stop: () => void): () => void {
    this.stops.add(stop);
    return () => {
      this.stops.delete(stop);
    };
  }

  stopAll(): void {
    for (const stop of [...this.stops]) stop();
    this.stops.clear();
  }
}
