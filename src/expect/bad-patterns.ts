/**
 * Bad patterns: output that means something went wrong, whatever the test is waiting for. As in
 * U-Boot's test/py, each wait also looks for them, and one that appears before the awaited text
 * fails the wait at once with its own error instead of a timeout much later.
 */
export interface BadPattern {
  /** A short name, used to switch it off: `withoutBadPatterns(["unknown_command"], …)`. */
  name: string;
  pattern: string | RegExp;
}

/** U-Boot's usual failure signs. Switch off `signon` and `reset` around commands that reboot. */
export const UBOOT_BAD_PATTERNS: readonly BadPattern[] = Object.freeze([
  { name: "unknown_command", pattern: "Unknown command" },
  { name: "error_notification", pattern: "## Error" },
  // A sign-on in the middle of a session means the board reset by itself.
  { name: "signon", pattern: /U-Boot (?:SPL |TPL |VPL )?20\d\d\.\d\d/ },
  { name: "reset", pattern: "resetting ..." },
  {
    name: "panic",
    pattern:
      /### ERROR ### Please RESET the board ###|"Synchronous Abort" handler|Kernel panic - not syncing/,
  },
]);

/**
 * The bad patterns of one console and which of them are switched off. Switching off counts, so
 * nested or overlapping `withoutBadPatterns` calls restore exactly what they changed.
 */
export class BadPatternSet {
  private readonly patterns = new Map<string, BadPattern>();
  private readonly off = new Map<string, number>();

  constructor(initial: readonly BadPattern[] = []) {
    for (const bad of initial) this.add(bad);
  }

  add(bad: BadPattern): void {
    if (!bad.name) throw new TypeError("a bad pattern needs a name, to switch it off by");
    this.patterns.set(bad.name, bad);
  }

  remove(name: string): boolean {
    return this.patterns.delete(name);
  }

  names(): string[] {
    return [...this.patterns.keys()];
  }

  /** The patterns in force now, less those named in `ignore` (true: none in force). */
  active(ignore: readonly string[] | boolean = false): BadPattern[] {
    if (ignore === true) return [];
    const skip = new Set(ignore === false ? [] : ignore);
    return [...this.patterns.values()].filter((b) => !skip.has(b.name) && !this.off.has(b.name));
  }

  /** Switches the named patterns off (all of them for "all"); returns the function that undoes it. */
  switchOff(names: readonly string[] | "all"): () => void {
    const list = names === "all" ? this.names() : [...names];
    const unknown = list.filter((n) => !this.patterns.has(n));
    if (unknown.length > 0) {
      throw new TypeError(
        `no bad pattern named ${unknown.map((n) => `"${n}"`).join(", ")}; this console has: ` +
          `${this.names().join(", ") || "none"}`,
      );
    }
    for (const name of list) this.off.set(name, (this.off.get(name) ?? 0) + 1);
    let undone = false;
    return () => {
      if (undone) return;
      undone = true;
      for (const name of list) {
        const count = (this.off.get(name) ?? 1) - 1;
        if (count <= 0) this.off.delete(name);
        else this.off.set(name, count);
      }
    };
  }
}
