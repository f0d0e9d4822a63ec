import { describe, expect, it } from "vitest";
import { type NegotiationLimits, negotiateOptions } from "./options.ts";
import type { RequestedOption } from "./packet.ts";

const limits: NegotiationLimits = { blksizeMax: 65464, windowsizeMax: 64 };
const options = (...pairs: [string, string][]): RequestedOption[] =>
  pairs.map(([name, value]) => ({ name, key: name.toLowerCase(), value }));

describe("negotiateOptions for reads", () => {
  it.each([
    ["blksize 7 is dropped: the transfer runs at 512", [["blksize", "7"]], [], 512],
    ["blksize 8 is the smallest accepted", [["blksize", "8"]], [["blksize", "8"]], 8],
    ["blksize 1468 is echoed", [["blksize", "1468"]], [["blksize", "1468"]], 1468],
    ["blksize 65464 is the largest", [["blksize", "65464"]], [["blksize", "65464"]], 65464],
    ["blksize 65465 is answered with 65464", [["blksize", "65465"]], [["blksize", "65464"]], 65464],
    ["a non-numeric blksize is ignored", [["blksize", "big"]], [], 512],
    ["a negative blksize is ignored", [["blksize", "-1"]], [], 512],
  ] as const)("%s", (_, requested, oack, blksize) => {
    const result = negotiateOptions(
      options(...requested.map((p) => [...p] as [string, string])),
      "read",
      limits,
      100,
    );
    expect(result.oack).toEqual(oack);
    expect(result.options.blksize).toBe(blksize);
  });

  it("never answers a blksize larger than blksizeMax, nor larger than asked", () => {
    const capped = negotiateOptions(options(["blksize", "8192"]), "read", { ...limits, blksizeMax: 1468 }, 1);
    expect(capped.oack).toEqual([["blksize", "1468"]]);
    const asked = negotiateOptions(options(["blksize", "1024"]), "read", { ...limits, blksizeMax: 1468 }, 1);
    expect(asked.oack).toEqual([["blksize", "1024"]]);
  });

  it.each([
    ["0", undefined],
    ["1", 1],
    ["255", 255],
    ["256", undefined],
    ["5x", undefined],
  ])("timeout %s", (value, expected) => {
    const result = negotiateOptions(options(["timeout", value]), "read", limits, 1);
    expect(result.options.timeout).toBe(expected);
    expect(result.oack).toEqual(expected === undefined ? [] : [["timeout", value]]);
  });

  it("echoes a timeout exactly as spelled", () => {
    expect(negotiateOptions(options(["timeout", "05"]), "read", limits, 1).oack).toEqual([["timeout", "05"]]);
  });

  it.each([
    ["0", undefined, 1],
    ["1", "1", 1],
    ["16", "16", 16],
    ["65535", "64", 64],
    ["65536", undefined, 1],
  ])("windowsize %s", (value, answered, windowsize) => {
    const result = negotiateOptions(options(["windowsize", value]), "read", limits, 1);
    expect(result.oack).toEqual(answered === undefined ? [] : [["windowsize", answered]]);
    expect(result.options.windowsize).toBe(windowsize);
  });

  it("answers tsize with the real size, whatever the client sent", () => {
    expect(negotiateOptions(options(["tsize", "0"]), "read", limits, 123456).oack).toEqual([
      ["tsize", "123456"],
    ]);
  });

  it("leaves tsize out for an empty file and for an unknown size", () => {
    expect(negotiateOptions(options(["tsize", "0"]), "read", limits, 0).oack).toEqual([]);
    expect(negotiateOptions(options(["tsize", "0"]), "read", limits, undefined).oack).toEqual([]);
  });

  it("answers every accepted option in request order with the client's spelling", () => {
    const result = negotiateOptions(
      options(["TIMEOUT", "3"], ["TSize", "0"], ["BlkSize", "1468"], ["WindowSize", "4"]),
      "read",
      limits,
      5000,
    );
    expect(result.oack).toEqual([
      ["TIMEOUT", "3"],
      ["TSize", "5000"],
      ["BlkSize", "1468"],
      ["WindowSize", "4"],
    ]);
  });

  it("uses the first of duplicated options", () => {
    const result = negotiateOptions(options(["blksize", "1024"], ["BLKSIZE", "2048"]), "read", limits, 1);
    expect(result.oack).toEqual([["blksize", "1024"]]);
    expect(result.options.blksize).toBe(1024);
  });

  it("ignores unknown options", () => {
    const result = negotiateOptions(
      options(["multicast", ""], ["rollover", "0"], ["blksize", "512"]),
      "read",
      limits,
      1,
    );
    expect(result.oack).toEqual([["blksize", "512"]]);
  });
});

describe("negotiateOptions for writes", () => {
  it("echoes the client's tsize, including 0", () => {
    expect(negotiateOptions(options(["tsize", "4096"]), "write", limits, undefined).options.tsize).toBe(4096);
    expect(negotiateOptions(options(["tsize", "0"]), "write", limits, undefined).oack).toEqual([
      ["tsize", "0"],
    ]);
  });
});
