/**
 * The benchmark's cases, one function each: a case runs one client process against one exporter
 * and returns its rows' values for that run. A new case (the storage upload and download rows,
 * once dutkit's exporter serves the resource stream) is one more entry in CASES.
 */
import { findDriverType } from "../../src/core/registry.ts";
import "../../src/drivers/index.ts";
import { type ClientKind, type Exporter, runClient } from "./processes.ts";

export interface Pair {
  /** "client→exporter", e.g. "Python→dutkit". */
  label: string;
  client: ClientKind;
  exporter: Exporter;
}

export interface Settings {
  calls: number;
  warmup: number;
  serialBytes: number;
  chunkBytes: number;
  serialWarmupBytes: number;
  /** HOME for Jumpstarter's tools (a scratch directory). */
  home: string;
}

export interface Row {
  name: string;
  /** Which way is better, for the verdict. */
  better: "lower" | "higher";
  digits: number;
}

export interface Case {
  name: string;
  rows: Row[];
  measure(pair: Pair, settings: Settings): Promise<number[]>;
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

const rttCase: Case = {
  name: "DriverCall round trip (MockPower on)",
  rows: [
    { name: "DriverCall p50 µs", better: "lower", digits: 0 },
    { name: "DriverCall p99 µs", better: "lower", digits: 0 },
    { name: "DriverCall exporter CPU s", better: "lower", digits: 2 },
  ],
  async measure(pair, s) {
    const { result, exporterCpuS } = await runClient(
      pair.client,
      pair.exporter,
      ["rtt", String(s.calls), String(s.warmup)],
      s.home,
      60_000 + s.calls * 20,
    );
    const latencies = (result as { latenciesUs: number[] }).latenciesUs;
    if (latencies.length !== s.calls) {
      throw new Error(`${pair.label}: the client timed ${latencies.length} calls, not ${s.calls}`);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return [percentile(sorted, 0.5), percentile(sorted, 0.99), exporterCpuS];
  },
};

const serialCase: Case = {
  name: "serial loop:// byte stream (PySerial connect)",
  rows: [
    { name: "serial loop:// MB/s", better: "higher", digits: 1 },
    { name: "serial exporter CPU s", better: "lower", digits: 2 },
  ],
  async measure(pair, s) {
    const { result, exporterCpuS } = await runClient(
      pair.client,
      pair.exporter,
      ["serial", String(s.serialBytes), String(s.chunkBytes), String(s.serialWarmupBytes)],
      s.home,
      60_000 + (s.serialBytes / 1e6) * 2000,
    );
    const { seconds } = result as { seconds: number };
    return [s.serialBytes / 1e6 / seconds, exporterCpuS];
  },
};

export const CASES: Case[] = [rttCase, serialCase];

const STORAGE_TYPE = "jumpstarter_driver_opendal.driver.MockStorageMux";

/**
 * Why the storage rows (256 MiB through storage.write_from_path / read_into_path) are not
 * measured in this tree; the benchmark prints it.
 */
export function storagePending(): string {
  if (findDriverType(STORAGE_TYPE) === undefined) {
    return `storage rows: pending (dutkit's exporter has no driver type ${STORAGE_TYPE} in this tree, so storage.write_from_path cannot run against dutkit run)`;
  }
  return `storage rows: pending (dutkit now knows ${STORAGE_TYPE}, but the storage case is not written yet: add it to CASES in bench/jumpstarter/cases.ts)`;
}
