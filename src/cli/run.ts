import { EventEmitter, once } from "node:events";
import type { Command } from "commander";
import { loadExporterConfig } from "../config/load.ts";
import { messageOf } from "../core/errors.ts";
import { serveSession } from "../exporter/grpc/index.ts";
import { startLeasedExporter } from "../exporter/leased/agent.ts";
import { Session } from "../exporter/session.ts";
import type { CommandContext } from "./context.ts";

const stopper = new EventEmitter();

/** Asks long-running commands (controller, run) to stop, as SIGINT would; for tests. */
export function requestStop(): void {
  stopper.emit("stop", "request");
}

/** Resolves when the process gets SIGINT/SIGTERM or requestStop() is called. */
export async function untilStopped(also?: Promise<unknown>): Promise<string> {
  const onSignal = (signal: string) => stopper.emit("stop", signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const stopped = once(stopper, "stop").then(([why]) => String(why));
    return await (also ? Promise.race([stopped, also.then(() => "done")]) : stopped);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

interface RunOptions {
  exporterConfig: string;
  listen?: string;
  unix?: string;
  passphrase?: string;
  tlsCert?: string;
  tlsKey?: string;
  endpoint?: string;
  token?: string;
}

async function runExporter(options: RunOptions, context: CommandContext): Promise<void> {
  const loaded = await loadExporterConfig(options.exporterConfig);
  const listen = options.unix ?? options.listen;
  if (listen !== undefined) {
    const session = await Session.open(loaded);
    const served = await serveSession(session, {
      listen,
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
      ...(options.tlsCert && options.tlsKey
        ? { tls: { certFile: options.tlsCert, keyFile: options.tlsKey } }
        : {}),
      ...(loaded.config.motd ? { motd: loaded.config.motd } : {}),
    });
    context.io.stdout(
      `serving ${loaded.config.metadata.name} at ${served.address} (JUMPSTARTER_HOST=${served.address})\n`,
    );
    await untilStopped();
    await served.close();
    await session.close();
    return;
  }
  const exporter = await startLeasedExporter({
    loaded,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.token ? { token: options.token } : {}),
    log: (line) => context.io.stderr(`${line}\n`),
  });
  context.io.stdout(`exporter ${loaded.config.metadata.name} registered; waiting for leases\n`);
  let failure: unknown;
  await untilStopped(exporter.done.catch((error) => (failure = error)));
  await exporter.close();
  if (failure) {
    context.io.stderr(`dutkit: ${messageOf(failure)}\n`);
    context.exitCode = 1;
  }
}

/** `dutkit run`: serve an exporter standalone (--listen/--unix) or registered with its controller. */
export function registerRunCommand(program: Command, context: CommandContext): void {
  program
    .command("run")
    .description(
      "run an exporter: standalone on --listen HOST:PORT or --unix PATH, or registered with the controller at the config's endpoint",
    )
    .requiredOption("--exporter-config <file>", "ExporterConfig YAML")
    .option("--listen <host:port>", "serve standalone on TCP (port 0 picks one)")
    .option("--unix <path>", "serve standalone on a unix socket")
    .option("--passphrase <text>", "standalone: require this x-jumpstarter-passphrase on every call")
    .option("--tls-cert <file>", "standalone: TLS certificate chain (PEM)")
    .option("--tls-key <file>", "standalone: TLS private key (PEM)")
    .option("--endpoint <host:port>", "registered: the controller, instead of the config's endpoint")
    .option("--token <token>", "registered: the exporter token, instead of the config's")
    .action((options: RunOptions) => runExporter(options, context));
}
