import { describe, expect, it } from "vitest";
import { DurationError, formatDuration, parseDuration, parseDurationAtLeast } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["90", 90],
    [45, 45],
    ["30m", 1800],
    ["3h30m", 12_600],
    ["1d", 86_400],
    ["1d3h40m", 99_600],
    ["1h 30m", 5400],
    ["2 hours, 5 minutes", 7500],
    ["PT1H30M", 5400],
    ["P1DT2H30M", 95_400],
    ["PT45S", 45],
    ["01:30:00", 5400],
    ["1:30", 5400],
    ["2 days, 01:30:00", 178_200],
  ])("%j → %i s", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "abc", "5 parsecs", "PT", "1h-"])("rejects %j with a fix", (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(/use seconds/);
  });

  it("enforces minimums", () => {
    expect(() => parseDurationAtLeast("2", 5, "acquisition timeout")).toThrow(/at least 5 s/);
    expect(parseDurationAtLeast("5s", 5, "x")).toBe(5);
  });

  it("formats back to a form it reads", () => {
    for (const seconds of [1, 59, 60, 3661, 90_061]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    }
  });
});
