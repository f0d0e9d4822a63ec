/**
 * Driver calls by driver path (`power`, `board.serial`; "" is the root driver) and method name.
 * `errors` counts the calls that threw; `lastError` is the message of the latest of them. The
 * lease-usage events (`usage/events.ts`) validate records of this shape.
 */
export interface MethodCallStats {
  calls: number;
  errors: number;
  lastError?: string | undefined;
}
export type CallStats = Record<string, Record<string, MethodCallStats>>;
