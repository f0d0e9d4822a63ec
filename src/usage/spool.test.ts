import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { acquired, released, requested } from "./__fixtures__/lease-events.ts";
import { USAGE_SPOOL_ENV } from "./events.ts";
import { readLeaseEvents, recordLeaseEvent, UsageSpool } from "./spool.ts";

/** Runs `body` with `process.pid` reading `pid`, as if another worker wrote. */
function asProcess(pid: number, body: () => void): void {
  const real = Object.getOwnPropertyDescriptor(process, "pid")!;
  Object.defineProperty(process, "pid", { ...real, value: pid });
  try {
    body();
  } finally {
    Object.defineProperty(process, "pid", real);
  }
}

describe("recordLeaseEvent and readLeaseEvents", () => {
  let dir: string;
  const previousEnv = process.env[USAGE_SPOOL_ENV];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dutkit-spool-test-"));
    process.env[USAGE_SPOOL_ENV] = dir;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (previousEnv === undefined) delete process.env[USAGE_SPOOL_ENV];
    else process.env[USAGE_SPOOL_ENV] = previousEnv;
  });

  it("does nothing when no spool is set", () => {
    delete process.env[USAGE_SPOOL_ENV];
    recordLeaseEvent(requested("L1", 0));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("appends one JSON line per event to a file per process and reads them all back", () => {
    asProcess(1001, () => {
      recordLeaseEvent(requested("L1", 0));
      recordLeaseEvent(acquired("L1", 10));
    });
    asProcess(1002, () => recordLeaseEvent(requested("L2", 5)));
    asProcess(1001, () => recordLeaseEvent(released("L1", 20)));

    expect(readdirSync(dir).sort()).toEqual(["1001.jsonl", "1002.jsonl"]);
    const lines = readFileSync(join(dir, "1001.jsonl"), "utf8").split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual(requested("L1", 0));

    const { events, warnings } = readLeaseEvents(dir);
    expect(warnings).toEqual([]);
    expect(events).toEqual([requested("L1", 0), acquired("L1", 10), released("L1", 20), requested("L2", 5)]);
  });

  it("ignores garbage lines, naming file and line in a warning", () => {
    recordLeaseEvent(requested("L1", 0));
    const good = JSON.stringify(acquired("L1", 10));
    const notAnEvent = JSON.stringify({ type: "lease-exploded", leaseId: "L1" });
    const badTime = JSON.stringify({ ...acquired("L1", 10), at: "yesterday" });
    writeFileSync(
      join(dir, "77.jsonl"),
      `${good}\nnot json at all\n${notAnEvent}\n\n${badTime}\n{"type":"lease-acq`,
    );
    writeFileSync(join(dir, "notes.txt"), "not a spool file");

    const { events, warnings } = readLeaseEvents(dir);
    expect(events).toHaveLength(2);
    expect(events).toEqual(expect.arrayContaining([acquired("L1", 10), requested("L1", 0)]));
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^lease-usage spool 77\.jsonl:2: is not JSON .*; line ignored$/);
    expect(warnings[1]).toMatch(/^lease-usage spool 77\.jsonl:3: is not a lease event .*; line ignored$/);
    expect(warnings[2]).toMatch(
      /^lease-usage spool 77\.jsonl:5: is not a lease event \(.* at at\); line ignored$/,
    );
    expect(warnings[3]).toMatch(/^lease-usage spool 77\.jsonl:6: is not JSON/);
  });

  it("reports only the first few bad lines of a file and counts the rest", () => {
    writeFileSync(join(dir, "5.jsonl"), "x\n".repeat(9));
    const { warnings } = readLeaseEvents(dir);
    expect(warnings).toHaveLength(6);
    expect(warnings[5]).toBe("lease-usage spool 5.jsonl: 4 more bad lines ignored");
  });

  it("reads a missing spool as empty", () => {
    expect(readLeaseEvents(join(dir, "gone"))).toEqual({ events: [], warnings: [] });
  });

  it("never throws when the spool cannot be written, and warns once", () => {
    const emitWarning = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      process.env[USAGE_SPOOL_ENV] = join(dir, "missing", "deeper");
      expect(() => recordLeaseEvent(requested("L1", 0))).not.toThrow();
      expect(() => recordLeaseEvent(requested("L2", 0))).not.toThrow();
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(String(emitWarning.mock.calls[0]?.[0])).toContain("could not record lease usage");
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe("UsageSpool", () => {
  it("creates a directory, points the env var at it, and undoes both on close", () => {
    const previous = process.env[USAGE_SPOOL_ENV];
    process.env[USAGE_SPOOL_ENV] = "/outer/run/spool";
    try {
      const spool = UsageSpool.create();
      expect(existsSync(spool.dir)).toBe(true);
      expect(process.env[USAGE_SPOOL_ENV]).toBe(spool.dir);
      recordLeaseEvent(requested("L1", 0));
      expect(spool.read().events).toEqual([requested("L1", 0)]);

      spool.close();
      expect(existsSync(spool.dir)).toBe(false);
      expect(process.env[USAGE_SPOOL_ENV]).toBe("/outer/run/spool");

      spool.reopen();
      expect(existsSync(spool.dir)).toBe(true);
      expect(process.env[USAGE_SPOOL_ENV]).toBe(spool.dir);
      expect(spool.read().events).toEqual([]);
      spool.close();
    } finally {
      if (previous === undefined) delete process.env[USAGE_SPOOL_ENV];
      else process.env[USAGE_SPOOL_ENV] = previous;
    }
  });
});
