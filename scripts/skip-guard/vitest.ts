// A vitest reporter for CI: a test that was skipped (skipIf, skip, todo, a missing peer) and is not
// in the allowed list fails the run. The repo's vitest.config.ts lists it under CI=true.
import { relative } from "node:path";
import type { Reporter, TestModule, Vitest } from "vitest/node";
import { allowedSkips } from "./allowed-skips.ts";
import { describeUnexpected, guarding, type Skip, unexpectedSkips } from "./guard.ts";

export interface SkipGuardOptions {
  /** Defaults to scripts/skip-guard/allowed-skips.ts. */
  allowed?: Record<string, string>;
}

export default class VitestSkipGuard implements Reporter {
  private root = process.cwd();
  private narrowed = false;

  constructor(private readonly options: SkipGuardOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    // `-t pattern` skips every other test on purpose.
    this.narrowed = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (!guarding() || this.narrowed) return;
    const skips: Skip[] = [];
    for (const module of testModules) {
      const file = relative(this.root, module.moduleId);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== "skipped") continue;
        skips.push({ key: `${file} > ${test.fullName}`, ...(result.note ? { note: result.note } : {}) });
      }
    }
    const unexpected = unexpectedSkips(skips, this.options.allowed ?? allowedSkips);
    if (unexpected.length === 0) return;
    process.stderr.write(`\n${describeUnexpected("vitest", unexpected)}\n`);
    process.exitCode = 1;
  }
}
