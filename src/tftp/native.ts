/**
 * The optional native read loop (src/tftp/native/read-loop.c), prebuilt into the package for
 * linux-x64 (prebuilds/) and built locally by `npm run build:native`. It runs the data phase of
 * octet read transfers from files in a thread of its own; everything else stays in JavaScript.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Why a native transfer ended (enum end_reason in read-loop.c). */
export const NativeEnd = {
  Completed: 0,
  ClientError: 1,
  ShortPacket: 2,
  UnexpectedOpcode: 3,
  TimedOut: 4,
  Unreachable: 5,
  ReadFailed: 6,
  Aborted: 7,
  SocketFailed: 8,
} as const;

export interface NativeReadParameters {
  size: number;
  blksize: number;
  windowsize: number;
  initialMs: number;
  minMs: number;
  maxMs: number;
  /** A timeout negotiated with the client, used as is; 0 for the adaptive one. */
  fixedMs: number;
  retries: number;
}

export interface NativeEndReport {
  reason: number;
  /** errno for ReadFailed and SocketFailed, the opcode for UnexpectedOpcode. */
  detail: number;
  bytes: number;
  blocks: number;
  retransmits: number;
  /** Whether the OACK was still unanswered. */
  awaitingOack: boolean;
  /** The client's ERROR packet (ClientError). */
  errorPacket?: Buffer;
}

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

export interface NativeReadLoop {
  /** A socket bound to a new port on `localAddress`, connected to the client. */
  open(family: 4 | 6, localAddress: string, peerAddress: string, peerPort: number): [NativeHandle, number];
  send(handle: NativeHandle, packet: Buffer): void;
  startRead(
    handle: NativeHandle,
    fd: number,
    parameters: NativeReadParameters,
    oack: Buffer | null,
    onEnd: (report: NativeEndReport) => void,
  ): void;
  /** Stops the transfer's thread and waits for it: its report, or undefined if it was not running. */
  abort(handle: NativeHandle): NativeEndReport | undefined;
  /** Whether the thread handled all its socket received and waits for more (or never ran). */
  settled(handle: NativeHandle): boolean;
  /** Waits for the transfer's thread, then closes its socket. */
  close(handle: NativeHandle): void;
}

const BINARY = "dutkit_tftp.node";

/** This machine as a prebuilds/ folder name: platform-arch, and on Linux glibc or musl. */
export function platformTag(): string {
  if (process.platform !== "linux") return `${process.platform}-${process.arch}`;
  const { header } = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
  return `linux-${process.arch}-${header.glibcVersionRuntime ? "glibc" : "musl"}`;
}

/** The nearest folder above this module with a package.json: the checkout, or the installed package. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export type NativeLoadResult = { loop: NativeReadLoop; path: string } | { loop?: undefined; reason: string };
let loaded: NativeLoadResult | undefined;

function tryLoad(path: string, failures: string[]): NativeLoadResult | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return { loop: createRequire(import.meta.url)(path) as NativeReadLoop, path };
  } catch (error) {
    failures.push(`${path}: ${(error as Error).message}`);
    return undefined;
  }
}

function locate(): NativeLoadResult {
  const root = packageRoot();
  const failures: string[] = [];
  const local = tryLoad(join(root, "build", "Release", BINARY), failures);
  if (local) return local;
  const tag = platformTag();
  const prebuilt = tryLoad(join(root, "prebuilds", tag, BINARY), failures);
  if (prebuilt) return prebuilt;
  if (failures.length > 0) return { reason: `it did not load: ${failures.join("; ")}` };
  const shipped = existsSync(join(root, "prebuilds")) ? readdirSync(join(root, "prebuilds")) : [];
  if (shipped.length > 0) return { reason: `it is prebuilt for ${shipped.join(", ")} only, this is ${tag}` };
  return { reason: "it is not built: run `npm run build:native` (needs a C compiler, make and python3)" };
}

/**
 * Finds the native read loop once: a developer's own build (`npm run build:native`,
 * build/Release/), else the package's binary prebuilt for this machine's platform, arch and libc
 * (prebuilds/<platformTag()>/). Says why not when neither loads, for the engine's report.
 */
export function loadNativeReadLoop(): NativeLoadResult {
  loaded ??= locate();
  return loaded;
}

/** The native read loop, or undefined when it is not available on this machine. */
export function nativeReadLoop(): NativeReadLoop | undefined {
  return loadNativeReadLoop().loop;
}
