/**
 * The benchmark's cases, one function each: a case runs one client process against one exporter
 * and returns its rows' values for that run. A new case is one more entry in CASES.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
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
  /** The local file the storage case uploads, its size and its SHA-256. */
  storageSource: { path: string; bytes: number; sha256: string };
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
  /** What `--cases` calls it. */
  id: string;
  name: string;
  rows: Row[];
  measure(pair: Pair, settings: Settings): Promise<number[]>;
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

const rttCase: Case = {
  id: "rtt",
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
    return [percentile(sorted, 0.5), percentile(sorted, 0.99), exporterCpuS[0]!];
  },
};

const serialCase: Case = {
  id: "serial",
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
    return [s.serialBytes / 1e6 / seconds, exporterCpuS[0]!];
  },
};

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

const storageCase: Case = {
  id: "storage",
  name: "storage upload and download (Tftp's storage: write_from_path, read_into_path)",
  rows: [
    { name: "storage upload MB/s", better: "higher", digits: 1 },
    { name: "storage upload exporter CPU s", better: "lower", digits: 2 },
    { name: "storage download MB/s", better: "higher", digits: 1 },
    { name: "storage download exporter CPU s", better: "lower", digits: 2 },
  ],
  async measure(pair, s) {
    const source = s.storageSource;
    const target = join(s.home, "storage-download.bin");
    try {
      const { result, exporterCpuS } = await runClient(
        pair.client,
        pair.exporter,
        ["storage", source.path, target],
        s.home,
        60_000 + (source.bytes / 1e6) * 1000,
      );
      if (exporterCpuS.length !== 2) {
        throw new Error(`${pair.label}: the storage client marked ${exporterCpuS.length} timed parts, not 2`);
      }
      const downloaded = await sha256Of(target);
      if (downloaded !== source.sha256) {
        throw new Error(
          `${pair.label}: the downloaded file's SHA-256 ${downloaded} is not the uploaded file's`,
        );
      }
      const { uploadS, downloadS } = result as { uploadS: number; downloadS: number };
      const mb = source.bytes / 1e6;
      return [mb / uploadS, exporterCpuS[0]!, mb / downloadS, exporterCpuS[1]!];
    } finally {
      await rm(target, { force: true });
    }
  },
};

export const CASES: Case[] = [rttCase, serialCase, storageCase];
