// What the vitest and Playwright skip guards share: which skips are not allowed, and how to say so.

export interface Skip {
  /** `<file relative to the repo> > <full test name>` */
  key: string;
  /** The reason the test gave, if any. */
  note?: string;
}

export function unexpectedSkips(skips: Skip[], allowed: Record<string, string>): Skip[] {
  return skips.filter((skip) => !(skip.key in allowed));
}

export function describeUnexpected(runner: string, skips: Skip[]): string {
  const lines = skips.map((skip) => `  - ${skip.key}${skip.note ? ` (${skip.note})` : ""}`);
  return [
    `skip guard (${runner}): ${skips.length} test(s) skipped under CI=true that are not allowed to skip:`,
    ...lines,
    "Install the missing peer (npm test installs them with scripts/ensure-peers.mjs), or, if the skip is",
    "right on every CI machine, list it with its reason in scripts/skip-guard/allowed-skips.ts.",
  ].join("\n");
}

/** The guards act under CI=true only (each also stands aside when a run was narrowed by test name). */
export function guarding(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.CI === "1";
}
