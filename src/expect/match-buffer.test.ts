import { describe, expect, it } from "vitest";
import { MatchBuffer, searchNew } from "./match-buffer.ts";
import type { SearchPattern } from "./patterns.ts";

/** A RegExp that records how much text each search had to scan. */
class CountingRegExp extends RegExp {
  scanned: number[] = [];
  override exec(text: string): RegExpExecArray | null {
    this.scanned.push(text.length - this.lastIndex);
    return super.exec(text);
  }
}

describe("MatchBuffer", () => {
  it("holds absolute positions across appends, consumes and drops", () => {
    const b = new MatchBuffer(10);
    b.append("abcd");
    b.append("efgh");
    expect(b.text(2, 6)).toBe("cdef");
    b.consume(3);
    expect([b.start, b.end, b.text()]).toEqual([3, 8, "defgh"]);
    expect(b.append("ijklmnop")).toBe(3);
    expect([b.start, b.text()]).toEqual([6, "ghijklmnop"]);
  });
});

describe("searchNew", () => {
  it("scans only new text plus a bounded window, not the whole buffer again", () => {
    const b = new MatchBuffer(1 << 20);
    const re = new CountingRegExp("never(\\d)", "g");
    const patterns: SearchPattern[] = [
      { kind: "string", index: 0, text: "MARKER" },
      { kind: "regexp", index: 1, source: /never(\d)/, re },
    ];
    let searched = 0;
    for (let i = 0; i < 200; i++) {
      b.append("x".repeat(1000));
      expect(searchNew(b, patterns, searched, 256)).toBeUndefined();
      searched = b.end;
    }
    // Each search scanned the new 1000 characters and at most the 256-character window.
    expect(Math.max(...re.scanned)).toBeLessThanOrEqual(1000 + 256);
    b.append("MARK");
    b.append("ER never7");
    const found = searchNew(b, patterns, b.end - 9, 256);
    expect(found).toMatchObject({ index: 0, start: 200_004 - 4, end: 200_006 });
  });

  it("sees a RegExp match that started before the new text, within the window", () => {
    const b = new MatchBuffer(1000);
    const patterns: SearchPattern[] = [{ kind: "regexp", index: 0, source: /a+b/, re: /a+b/g }];
    b.append("xxaaaa");
    expect(searchNew(b, patterns, 0, 100)).toBeUndefined();
    b.append("aab");
    expect(searchNew(b, patterns, 6, 100)).toMatchObject({ start: 2, end: 9 });
  });
});
