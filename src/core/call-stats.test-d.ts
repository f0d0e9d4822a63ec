import { expectTypeOf, test } from "vitest";
import type { CallStats as UsageCallStats } from "../usage/events.ts";
import type { CallStats } from "./call-stats.ts";

test("the call counts a client records are what the lease-usage events validate", () => {
  expectTypeOf<CallStats>().toEqualTypeOf<UsageCallStats>();
});
