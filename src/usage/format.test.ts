import { describe, expect, it } from "vitest";
import { escapeHtml, formatDuration, formatLabels, truncateEnd, truncateMiddle } from "./format.ts";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [999.4, "999 ms"],
    [999.6, "1.0 s"],
    [12_345, "12.3 s"],
    [59_960, "1m 00s"],
    [245_000, "4m 05s"],
    [3_720_000, "1h 02m"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("text helpers", () => {
  it("truncates at the end or in the middle to exactly the width", () => {
    expect(truncateEnd("abcdef", 4)).toBe("abc…");
    expect(truncateEnd("abc", 4)).toBe("abc");
    expect(truncateMiddle("0123456789", 5)).toBe("01…89");
    expect(truncateMiddle("0123456789", 6)).toBe("012…89");
  });

  it("sorts labels by key", () => {
    expect(formatLabels({ z: "1", a: "2" })).toBe("a=2, z=1");
  });

  it("escapes markup and replaces control characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>\u0007\n`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\ufffd\n",
    );
  });
});
