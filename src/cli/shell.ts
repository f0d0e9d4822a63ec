import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { loadExporterConfig } from "../config/load.ts";
import { DutkitError } from "../core/errors.ts";
import { ownedTempDir } from "../core/owned-temp-dir.ts";
import { serveSession } from "../exporter/grpc/index.ts";
import { Session } from "../exporter/session.ts";
import type { ClientConfig } from "../lease/client-config.ts";
import { releaseOnSignal } from "../lease/signal-release.ts";
import { parseDuration } from "../protocol/duration.ts";
import { joinSelectors } from "../protocol/selector.ts";
import type { CommandContext } from "./context.ts";
import { addClientOptions, leaseClientFor, leaseWaitFromCli } from "./lease.ts";

/** `k=v,k2=v2`, sorted by key (spec 2.10). */
export function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

function driversAllow(drivers: ClientConfig["drivers"]): string {
  return drivers.unsafe ? "UNSAFE" : drivers.allow.join(",");
}

/** Signals dutkit passes on to the command it runs. */
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** How long a command gets to end after a forwarded signal before it is killed. */
const KILL_AFTER_MS = 10_000;

/**
 * Runs the command with the extra env; resolves to its exit status (127 not found, 126 not
 * executable, 128 + the signal's number when a signal ended it, as a shell reports it).
 * SIGINT, SIGTERM and SIGHUP sent to dutkit go to the command as well (Ctrl-C in a terminal
 * reaches both; `kill <dutkit's pid>` only dutkit), so the command never runs on without its
 * board; it gets KILL_AFTER_MS to end, then SIGKILL. The caller releases the board after.
 * `hangup` lets the caller SIGHUP it (lease ended); `onListening` runs once dutkit listens for the
 * signals to pass on, before the command starts.
 */
function runChild(
  argv: string[],
  env: Record<string, string>,
  hangup: (kill: () => void) => void,
  onListening: () => void = () => {},
): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    let killTimer: NodeJS.Timeout | undefined;
    // Listening before the command starts: a signal that came between the spawn and the listener
    // would end dutkit with the default action, the command left running.
    let child: ReturnType<typeof spawn> | undefined;
    const forward = (signal: NodeJS.Signals) => {
      child?.kill(signal);
      killTimer ??= setTimeout(() => child?.kill("SIGKILL"), KILL_AFTER_MS);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    onListening();
    child = spawn(file!, args, { stdio: "inherit", env: { ...process.env, ...env } });
    hangup(() => child?.kill("SIGHUP"));
    const done = (code: number) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      clearTimeout(killTimer);
      resolve(code);
    };
    child.once("error", (error: NodeJS.ErrnoException) => done(error.code === "ENOENT" ? 127 : 126));
    child.once("exit", (code, signal) => done(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
  });
}

interface ShellOptions {
  exporterConfig?: string;
  selector?: string[];
  lease?: string;
  name?: string;
  duration: string;
  acquisitionTimeout?: string;
  client?: string;
  clientConfig?: string;
}

async function localShell(file: string, command: string[], context: CommandContext): Promise<number> {
  const loaded = await loadExporterConfig(file);
  const session = await Session.open(loaded);
  const dir = await ownedTempDir("dutkit-shell-");
  const served = await serveSession(session, { listen: join(dir, "socket") });
  try {
    return await runChild(
      command,
      {
        JUMPSTARTER_HOST: served.address,
        JMP_DRIVERS_ALLOW: "UNSAFE",
        _JMP_SUPPRESS_DRIVER_WARNINGS: "1",
        JMP_EXPORTER: session.name,
        JMP_EXPORTER_LABELS: formatLabels(session.labels),
      },
      () => {},
    );
  } finally {
    await served.close();
    await session
      .close()
      .catch((error) => context.io.stderr(`dutkit: closing drivers: ${(error as Error).message}\n`));
    await rm(dir, { recursive: true, force: true });
  }
}

async function leasedShell(
  options: ShellOptions,
  command: string[],
  context: CommandContext,
): Promise<number> {
  const client = await leaseClientFor(options);
  const selector = joinSelectors(options.selector ?? []);
  const leaseName = options.lease ?? process.env.JMP_LEASE;
  try {
    const held = await client.acquire({
      ...(selector ? { selector } : {}),
      ...(options.name ? { exporterName: options.name } : {}),
      ...(leaseName ? { leaseName } : {}),
      durationS: parseDuration(options.duration),
      ...leaseWaitFromCli(options.acquisitionTimeout),
      onProgress: (line) => context.io.stderr(`dutkit: ${line}\n`),
    });
    // Until the command runs, a signal releases the lease and ends dutkit; then it goes to the
    // command (runChild), and the lease is released once the command has ended.
    const unregister = releaseOnSignal(() => held.release());
    try {
      const tunnel = await held.openTunnel();
      let hangup = () => {};
      held.watch({
        onEnd: (error) => {
          context.io.stderr(`dutkit: ${error.message}\n`);
          hangup();
        },
      });
      return await runChild(
        command,
        {
          JUMPSTARTER_HOST: tunnel.path,
          JMP_DRIVERS_ALLOW: driversAllow(client.config.drivers),
          _JMP_SUPPRESS_DRIVER_WARNINGS: "1",
          JMP_LEASE: held.id,
          JMP_EXPORTER: held.exporterName,
          JMP_EXPORTER_LABELS: formatLabels(held.exporterLabels),
        },
        (kill) => {
          hangup = kill;
        },
        unregister,
      );
    } finally {
      unregister();
      await held.release();
    }
  } finally {
    client.close();
  }
}

/** `dutkit shell`: run a command (default $SHELL) with JUMPSTARTER_HOST pointing at a board. */
export function registerShellCommand(program: Command, context: CommandContext): void {
  addClientOptions(
    program
      .command("shell")
      .description(
        "run a command (default: $SHELL) against a board: a local exporter config, a lease by selector, or an existing lease",
      )
      .argument("[command...]", "the command and its arguments (after --)")
      .option("--exporter-config <file>", "serve this exporter config locally for the command")
      .option(
        "-l, --selector <selector>",
        "lease by label selector (repeatable, ANDed)",
        (v: string, p: string[] = []) => [...p, v],
      )
      .option("--lease <name>", "use this existing lease (default: $JMP_LEASE); it is kept afterwards")
      .option("-n, --name <exporter>", "lease this exporter by name")
      .option("--duration <duration>", "duration of a lease created here", "30m")
      .option(
        "--acquisition-timeout <duration>",
        "give up waiting for the lease after this long (default: $DUTKIT_LEASE_WAIT_TIMEOUT, else the client config's, 2h); the waiting lease is deleted",
      ),
  ).action(async (command: string[], options: ShellOptions) => {
    const argv = command.length > 0 ? command : [process.env.SHELL || "/bin/sh"];
    const sources = [options.exporterConfig, options.selector?.length || options.name, options.lease].filter(
      Boolean,
    );
    if (sources.length > 1) {
      throw new DutkitError("ERR_DUTKIT_USAGE", "give one of --exporter-config, -l/--name, or --lease");
    }
    if (options.exporterConfig) {
      context.exitCode = await localShell(options.exporterConfig, argv, context);
      return;
    }
    if (!options.selector?.length && !options.name && !options.lease && !process.env.JMP_LEASE) {
      throw new DutkitError(
        "ERR_DUTKIT_USAGE",
        "no board for the shell: give --exporter-config FILE, -l SELECTOR, -n EXPORTER or --lease NAME",
      );
    }
    context.exitCode = await leasedShell(options, argv, context);
  });
}
