import type { CallStats, MethodCallStats } from "../core/call-stats.ts";
import { messageOf } from "../core/errors.ts";

export type { CallStats };

/**
 * Counts driver calls and their failures. `snapshot()` and `since()` let a fixture tell which
 * calls one test made while the session is shared by many.
 */
export class CallRecorder {
  private readonly stats: CallStats = {};

  /** Counts a call; the returned function records its outcome and passes the error through. */
  start(path: string, method: string): <E>(error?: E) => E | undefined {
    const entry = this.entry(path, method);
    entry.calls++;
    return (error) => {
      if (error !== undefined) {
        entry.errors++;
        entry.lastError = messageOf(error);
      }
      return error;
    };
  }

  snapshot(): CallStats {
    return structuredClone(this.stats);
  }

  /** What was called after `before` was taken. */
  since(before: CallStats): CallStats {
    const delta: CallStats = {};
    for (const [path, methods] of Object.entries(this.stats)) {
      for (const [method, now] of Object.entries(methods)) {
        const then = before[path]?.[method];
        const calls = now.calls - (then?.calls ?? 0);
        const errors = now.errors - (then?.errors ?? 0);
        if (calls === 0 && errors === 0) continue;
        delta[path] ??= {};
        delta[path][method] = {
          calls,
          errors,
          ...(errors > 0 && now.lastError ? { lastError: now.lastError } : {}),
        };
      }
    }
    return delta;
  }

  private entry(path: string, method: string): MethodCallStats {
    this.stats[path] ??= {};
    this.stats[path][method] ??= { calls: 0, errors: 0 };
    return this.stats[path][method];
  }
}
