import { resolve } from "node:path";
import type { Command } from "commander";
import { HttpFileServer, type HttpRequestEvent } from "../http/index.ts";
import type { CliIo, CommandContext } from "./context.ts";
import { integerOption, stopSignals } from "./serve.ts";

export interface HttpServeOptions {
  root: string;
  host: string;
  port: number;
  verbose?: boolean;
}

export function formatRequest(event: HttpRequestEvent): string {
  return `${event.client} ${event.method} ${JSON.stringify(event.target)} ${event.status} ${event.bytes} B\n`;
}

/** Runs an HTTP file server until `stop` settles; start failures reject first, with their coded error. */
export async function serveHttp(options: HttpServeOptions, io: CliIo, stop: Promise<string>): Promise<void> {
  const server = new HttpFileServer({ root: resolve(options.root), host: options.host, port: options.port });
  await server.start();
  let requests = 0;
  server.on("request", (event) => {
    requests++;
    if (options.verbose) io.stdout(formatRequest(event));
  });
  const { host, port } = server.address();
  const shown = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  io.stdout(
    `HTTP server listening on ${shown} (root ${resolve(options.root)}, ${server.url()}); Ctrl-C stops it\n`,
  );
  const signal = await stop;
  io.stdout(`${signal}: stopping the HTTP server\n`);
  await server.stop();
  io.stdout(`stopped after ${requests} requests\n`);
}

/** `dutkit http serve`: a standalone static file server (GET, HEAD, ranges; no listing). */
export function registerHttpCommands(program: Command, context: CommandContext): void {
  const http = program.command("http").description("serve files over HTTP");
  http
    .command("serve")
    .description("run an HTTP file server until Ctrl-C or SIGTERM")
    .requiredOption("--root <dir>", "directory to serve")
    .option("--host <address>", "address to listen on (:: for IPv6 and IPv4)", "0.0.0.0")
    .option("--port <n>", "TCP port (0 picks a free one)", integerOption("--port", 0, 65535), 8080)
    .option("-v, --verbose", "print a line per request")
    .action(async (options: HttpServeOptions) => {
      const signals = stopSignals();
      try {
        await serveHttp(options, context.io, signals.stopped);
      } finally {
        signals.dispose();
      }
    });
}
