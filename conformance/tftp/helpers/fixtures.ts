/** Test fixtures: a served directory with known files, a running server, real client binaries. */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TftpServer, type TftpServerOptions } from "../../../src/tftp/index.ts";

export interface Served {
  server: TftpServer;
  port: number;
  root: string;
  /** Scratch directory for client output. */
  work: string;
  close(): Promise<void>;
}

/**
 * Tests retransmit quickly: losses cost milliseconds, not seconds. Ten retries (backing off to
 * 1.6 s) let a client process that a loaded machine did not schedule for a while catch up.
 */
export const fastRetransmit = { timeoutMs: 200, minTimeoutMs: 20, retries: 10 } as const;

/**
 * The engine that sends octet reads of files: the conformance project runs the suite once with
 * the native read loop (which must then be built) and once, as conformance-js, in JavaScript.
 */
export const engine = { nativeReads: process.env.DUTKIT_TFTP_ENGINE !== "javascript" } as const;

export async function tempDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `dutkit-tftp-${prefix}-`));
}

export async function serve(options: Partial<TftpServerOptions> = {}, root?: string): Promise<Served> {
  const servedRoot = root ?? (await tempDirectory("root"));
  const work = await tempDirectory("work");
  const server = new TftpServer({
    host: "127.0.0.1",
    port: 0,
    ...engine,
    ...fastRetransmit,
    ...options,
    root: servedRoot,
  });
  await server.start();
  return {
    server,
    port: server.address().port,
    root: servedRoot,
    work,
    async close() {
      await server.stop();
      await rm(work, { recursive: true, force: true });
      if (root === undefined) await rm(servedRoot, { recursive: true, force: true });
    },
  };
}

/** Deterministic pseudo-random bytes, so failures reproduce. */
export function bytes(length: number, seed = length): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

export async function writeFiles(root: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, content);
  }
}

export async function randomFile(root: string, name: string, length: number): Promise<Buffer> {
  const content = length > 1 << 20 ? randomBytes(length) : bytes(length);
  await writeFiles(root, { [name]: content });
  return content;
}

export interface CommandResult {
  /** Exit code, or the spawn error's code (e.g. "ENOENT"), or "TIMEOUT". */
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs a client binary with a hard time limit. */
export function run(command: string, args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = !error ? 0 : error.killed ? "TIMEOUT" : (error.code ?? -1);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Which client binaries exist; tests needing a missing one are skipped with the reason. */
export const clients = {
  tftpHpa: (await run("tftp", ["-V"], 5000)).stdout.includes("tftp-hpa"),
  busybox: await run("busybox", ["tftp", "--help"], 5000).then((result) =>
    `${result.stdout}${result.stderr}`.includes("-b SIZE"),
  ),
};

export const missingReason = {
  tftpHpa: "tftp-hpa client not installed (apt-get install tftp-hpa)",
  busybox: "busybox with the tftp applet not installed (apt-get install busybox)",
};

export async function listFiles(directory: string): Promise<string[]> {
  return (await readdir(directory)).sort();
}

/** Polls `condition` every 10 ms until it holds; bounded by `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 100_000 && Date.now() < deadline; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
