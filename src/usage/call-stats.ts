import type { CallStats, MethodCallStats } from "./events.ts";

/** The sum of several stats; where several carry a `lastError`, the later argument wins. */
export function mergeCallStats(...all: CallStats[]): CallStats {
  const total: CallStats = {};
  for (const stats of all) {
    for (const [path, methods] of Object.entries(stats)) {
      const into = total[path] ?? {};
      total[path] = into;
      for (const [method, entry] of Object.entries(methods)) {
        const sum: MethodCallStats = into[method] ?? { calls: 0, errors: 0 };
        into[method] = sum;
        sum.calls += entry.calls;
        sum.errors += entry.errors;
        if (entry.lastError !== undefined) sum.lastError = entry.lastError;
      }
    }
  }
  return total;
}

export interface CallTotals {
  calls: number;
  errors: number;
}

export function totalCalls(stats: CallStats): CallTotals {
  let calls = 0;
  let errors = 0;
  for (const methods of Object.values(stats)) {
    for (const entry of Object.values(methods)) {
      calls += entry.calls;
      errors += entry.errors;
    }
  }
  return { calls, errors };
}

/** A driver path for display: the root driver's empty path reads `(root)`. */
function displayDriverPath(driverPath: string): string {
  return driverPath === "" ? "(root)" : driverPath;
}

/** One row per driver method, sorted by path then method, for tables. */
export function callRows(stats: CallStats): { driver: string; method: string; stats: MethodCallStats }[] {
  const rows = Object.entries(stats).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, entry]) => ({
      driver: displayDriverPath(path),
      method,
      stats: entry,
    })),
  );
  return rows.sort((a, b) => a.driver.localeCompare(b.driver) || a.method.localeCompare(b.method));
}
