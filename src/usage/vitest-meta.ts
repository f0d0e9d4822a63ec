/**
 * Types `task.meta.dutkit` for vitest. Kept out of index.ts so that Playwright-only users, who may
 * have no `@vitest/runner` installed, never load this augmentation. vitest 4.1 declares TaskMeta
 * in `@vitest/runner` and re-exports it; augmenting `vitest` itself does not reach it.
 */
import type { TestLeaseUsage } from "./events.ts";

export type DutkitTaskMeta = TestLeaseUsage;

declare module "@vitest/runner" {
  interface TaskMeta {
    /** Written by dutkit's fixtures at teardown; read by dutkit's vitest reporter. */
    dutkit?: DutkitTaskMeta;
  }
}
