import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { TftpServer, type TftpServerOptions, type TransferEndEvent } from "../tftp/index.ts";
import { loadNativeReadLoop } from "../tftp/native.ts";
import type { CliIo, CommandContext } from "./context.ts";
import { integerOption, stopSignals } from "./serve.ts";

export interface TftpServeOptions {
  root: string;
  host: string;
  port: number;
  blksizeMax?: number;
  windowsizeMax?: number;
  perClientRoot?: boolean;
  write?: boolean;
  overwrite?: boolean;
  maxTransfers?: number;
  /** false (--no-native): send every file from JavaScript. */
  native?: boolean;
  /** Transfer worker threads; unset: DEFAULT_JS_WORKERS when files go out from JavaScript, else 0. */
  workers?: number;
  verbose?: boolean;
}

/**
 * Transfer workers when files go out from JavaScript and --workers is not given: one per CPU, up
 * to 4. A transfer in a worker keeps the listener's thread out of its round trips (bench/RESULTS.md).
 */
export const DEFAULT_JS_WORKERS = Math.min(availableParallelism(), 4);

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One line per finished transfer: what, who, how it ended, how much, how fast. */
export function formatTransfer(event: TransferEndEvent): string {
  const options = event.options as { blksize?: number; windowsize?: number } | undefined;
  const parts = [
    event.kind,
    hostPort(event.client.address, event.client.port),
    JSON.stringify(event.filename),
    event.outcome,
    `${event.bytes} B`,
    `${event.blocks} blocks`,
    `${event.retransmits} retransmits`,
    `${event.durationMs.toFixed(1)} ms`,
  ];
  if (options?.blksize !== undefined) parts.push(`blksize ${options.blksize}`);
  if (options?.windowsize !== undefined) parts.push(`windowsize ${options.windowsize}`);
  if (event.native) parts.push("native");
  const line = parts.join(" ");
  return event.error ? `${line}: ${event.error.message}\n` : `${line}\n`;
}

/**
 * Runs a TFTP server until `stop` settles: prints where it listens, a line per finished transfer
 * when verbose, and totals once stopped. Start failures reject, with their coded error, before any wait.
 */
export async function serveTftp(options: TftpServeOptions, io: CliIo, stop: Promise<string>): Promise<void> {
  const native = loadNativeReadLoop();
  const serverOptions: TftpServerOptions = {
    root: resolve(options.root),
    host: options.host,
    port: options.port,
    blksizeMax: options.blksizeMax,
    windowsizeMax: options.windowsizeMax,
    perClientRoot: options.perClientRoot ?? false,
    write: { enabled: options.write ?? false, overwrite: options.overwrite ?? false },
    maxTransfers: options.maxTransfers,
    nativeReads: options.native === false ? false : undefined,
    workers: options.workers ?? (options.native === false || !native.loop ? DEFAULT_JS_WORKERS : 0),
  };
  const server = new TftpServer(serverOptions);
  await server.start();
  if (options.verbose) server.on("transferEnd", (event) => io.stdout(formatTransfer(event)));
  server.on("warning", (warning) => io.stderr(`dutkit tftp: ${warning.message}\n`));
  const { host, port } = server.address();
  const leftovers = server.stats().leftoverUploadsRemoved;
  if (leftovers > 0) {
    io.stdout(
      `removed ${leftovers} temporary file(s) of uploads a killed server left in ${serverOptions.root}\n`,
    );
  }
  const access = options.write ? (options.overwrite ? "read-write, overwrite" : "read-write") : "read-only";
  if (options.native !== false && !native.loop) {
    io.stderr(`dutkit tftp: sending files from JavaScript, not the native read loop: ${native.reason}\n`);
  }
  const workers = serverOptions.workers ? `, ${serverOptions.workers} transfer workers` : "";
  const engine = server.nativeReads ? `native read loop${workers}` : `JavaScript only${workers}`;
  io.stdout(
    `TFTP server listening on ${hostPort(host, port)} (root ${serverOptions.root}, ${access}, ${engine}); Ctrl-C stops it\n`,
  );
  const signal = await stop;
  io.stdout(`${signal}: stopping the TFTP server\n`);
  await server.stop();
  const stats = server.stats();
  io.stdout(
    `stopped after ${stats.startedTransfers} transfers: ${stats.completedTransfers} completed, ` +
      `${stats.failedTransfers} failed, ${stats.abortedTransfers} aborted\n`,
  );
}

/** `dutkit tftp serve`: a standalone TFTP server, e.g. in place of tftpd-hpa. */
export function registerTftpCommands(program: Command, context: CommandContext): void {
  const tftp = program.command("tftp").description("serve boot files over TFTP");
  tftp
    .command("serve")
    .description("run a TFTP server until Ctrl-C or SIGTERM")
    .requiredOption("--root <dir>", "directory to serve")
    .option("--host <address>", "address to listen on (:: for IPv6 and IPv4)", "0.0.0.0")
    .option("--port <n>", "UDP port (0 picks a free one)", integerOption("--port", 0, 65535), 69)
    .option("--blksize-max <n>", "largest blksize granted", integerOption("--blksize-max", 8, 65464))
    .option("--windowsize-max <n>", "largest windowsize granted", integerOption("--windowsize-max", 1, 65535))
    .option("--per-client-root", "look in <root>/<client-ip>/, then <root>/default/, then <root>/")
    .option("--write", "accept uploads (write requests)")
    .option("--overwrite", "let uploads replace existing files (with --write)")
    .option(
      "--max-transfers <n>",
      "transfers in progress at once",
      integerOption("--max-transfers", 1, 100_000),
    )
    .option("--no-native", "send files from JavaScript, not from the native read loop (npm run build:native)")
    .option(
      "--workers <n>",
      `transfer worker threads, so transfers send on several CPUs (default ${DEFAULT_JS_WORKERS} when files go out from JavaScript, 0 with the native read loop)`,
      integerOption("--workers", 0, 256),
    )
    .option("-v, --verbose", "print a line per finished transfer")
    .action(async (options: TftpServeOptions) => {
      const signals = stopSignals();
      try {
        await serveTftp(options, context.io, signals.stopped);
      } finally {
        signals.dispose();
      }
    });
}
