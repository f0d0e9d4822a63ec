import { type Command, Option } from "commander";
import { loadClientConfig } from "../lease/client-config.ts";
import { LeaseClient, LeaseError } from "../lease/lease-client.ts";
import type { LeaseInfo } from "../lease/lease-info.ts";
import { parseDuration, parseDurationAtLeast } from "../protocol/duration.ts";
import { joinSelectors } from "../protocol/selector.ts";
import type { CommandContext } from "./context.ts";

interface ClientChoice {
  client?: string;
  clientConfig?: string;
}

export function addClientOptions(command: Command): Command {
  return command
    .option("--client <alias>", "client config alias (CONFIG/clients/<alias>.yaml)")
    .option("--client-config <file>", "client config file");
}

export async function leaseClientFor(options: ClientChoice): Promise<LeaseClient> {
  return new LeaseClient(
    await loadClientConfig({
      ...(options.client ? { client: options.client } : {}),
      ...(options.clientConfig ? { clientConfig: options.clientConfig } : {}),
    }),
  );
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The wait for a lease from the command line: `--acquisition-timeout`, else
 * `DUTKIT_LEASE_WAIT_TIMEOUT`, else the client config's `leases.acquisitionTimeout` (as jmp:
 * 2 h by default); a progress line at least every `DUTKIT_LEASE_WAIT_PROGRESS` (default 30 s).
 */
export function leaseWaitFromCli(
  acquisitionTimeout: string | undefined,
  env: Record<string, string | undefined> = process.env,
): { acquisitionTimeoutS?: number; progressEveryMs?: number } {
  const timeout = acquisitionTimeout ?? env.DUTKIT_LEASE_WAIT_TIMEOUT;
  const progress = env.DUTKIT_LEASE_WAIT_PROGRESS;
  return {
    ...(timeout
      ? { acquisitionTimeoutS: parseDurationAtLeast(timeout, 0.1, "the acquisition timeout") }
      : {}),
    ...(progress
      ? { progressEveryMs: parseDurationAtLeast(progress, 0.1, "DUTKIT_LEASE_WAIT_PROGRESS") * 1000 }
      : {}),
  };
}

function row(l: LeaseInfo): string {
  const end = l.endTime ? l.endTime.toISOString() : "-";
  return [l.id, l.state, l.selector || "-", l.exporter ?? "-", end].join("\t");
}

function asJson(l: LeaseInfo) {
  return { ...l, beginTime: l.beginTime?.toISOString(), endTime: l.endTime?.toISOString() };
}

/** `dutkit lease create|list|delete`: leases on the controller of the client config. */
export function registerLeaseCommands(program: Command, context: CommandContext): void {
  const out = (text: string) => context.io.stdout(text);
  const lease = program.command("lease").description("create, list and delete leases on a controller");

  addClientOptions(
    lease
      .command("create")
      .description("create a lease by selector; with --wait, wait until it is ready")
      .option("-l, --selector <selector>", "label selector (repeatable, ANDed)", collect)
      .option("-n, --name <exporter>", "a specific exporter by name")
      .requiredOption("--duration <duration>", "how long: 90, 30m, 1h30m, PT1H, 01:30:00")
      .option("--lease-id <id>", "choose the lease id")
      .option("--wait", "wait for the lease to be ready (progress on stderr)")
      .option(
        "--acquisition-timeout <duration>",
        "with --wait: give up after this long (default: $DUTKIT_LEASE_WAIT_TIMEOUT, else the client config's, 2h); the waiting lease is deleted",
      )
      .addOption(
        new Option("-o, --output <format>", "output").choices(["name", "json", "text"]).default("text"),
      ),
  ).action(async (options) => {
    const client = await leaseClientFor(options);
    try {
      const selector = joinSelectors(options.selector ?? []);
      if (!selector && !options.name)
        throw new LeaseError("give a selector (-l board=rpi4) or an exporter name (-n NAME)");
      const durationS = parseDuration(options.duration);
      let info: LeaseInfo;
      if (options.wait) {
        const held = await client.acquire({
          ...(selector ? { selector } : {}),
          ...(options.name ? { exporterName: options.name } : {}),
          ...(options.leaseId ? { leaseId: options.leaseId } : {}),
          durationS,
          ...leaseWaitFromCli(options.acquisitionTimeout),
          onProgress: (line) => context.io.stderr(`dutkit: ${line}\n`),
        });
        info = held.info;
      } else {
        info = await client.create({
          ...(selector ? { selector } : {}),
          ...(options.name ? { exporterName: options.name } : {}),
          ...(options.leaseId ? { leaseId: options.leaseId } : {}),
          durationS,
        });
        if (info.state === "unsatisfiable" || info.state === "invalid") {
          throw new LeaseError(`the lease cannot be satisfied: ${info.message}`);
        }
      }
      if (options.output === "name") out(`${info.id}\n`);
      else if (options.output === "json") out(`${JSON.stringify(asJson(info), null, 2)}\n`);
      else out(`${row(info)}\n`);
    } finally {
      client.close();
    }
  });

  addClientOptions(
    lease
      .command("list")
      .description("list this client's leases (active ones unless --all)")
      .option("-a, --all", "include ended leases")
      .addOption(
        new Option("-o, --output <format>", "output").choices(["name", "json", "text"]).default("text"),
      ),
  ).action(async (options) => {
    const client = await leaseClientFor(options);
    try {
      const leases = await client.list({ all: Boolean(options.all) });
      if (options.output === "json") out(`${JSON.stringify(leases.map(asJson), null, 2)}\n`);
      else if (options.output === "name") for (const l of leases) out(`${l.id}\n`);
      else {
        out("LEASE\tSTATE\tSELECTOR\tEXPORTER\tENDS\n");
        for (const l of leases) out(`${row(l)}\n`);
      }
    } finally {
      client.close();
    }
  });

  addClientOptions(
    lease
      .command("delete")
      .description("delete leases by name, or all of this client's active leases")
      .argument("[names...]", "lease names")
      .option("-a, --all", "every active lease of this client"),
  ).action(async (names: string[], options) => {
    if (names.length === 0 && !options.all) throw new LeaseError("name the leases to delete, or pass --all");
    const client = await leaseClientFor(options);
    try {
      const targets = options.all ? (await client.list()).map((l) => l.id) : names;
      if (targets.length === 0) throw new LeaseError("no active leases to delete");
      for (const name of targets) {
        await client.delete(name);
        out(`${name}\n`);
      }
    } finally {
      client.close();
    }
  });
}
