import type { ListExportersResponse } from "../protocol/gen/jumpstarter/client/v1/client.ts";
import { exporterStatusFromWire } from "../protocol/status.ts";
import type { LeaseCalls } from "./lease-calls.ts";
import type { LeaseInfo } from "./lease-info.ts";

/** One exporter that could take a waiting lease, and what holds it as far as the controller says. */
export interface MatchingExporter {
  name: string;
  online: boolean;
  /** The exporter's status name (AVAILABLE, LEASE_READY, …). */
  status: string;
  /** The active lease on it, when the controller lists it to us (it lists only our own leases at dutkit's). */
  heldBy: { id: string; client: string | undefined; endTime: Date | undefined } | undefined;
}

/** Time as UTC and as this host's local time: `07:12:03 UTC (08:12:03 local)`. */
export function bothClocks(at: Date): string {
  const utc = at
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
  const local = at.toLocaleTimeString("en-GB", { hour12: false });
  return `${utc} (${local} local)`;
}

/**
 * The exporters matching the waiting lease (ListExporters with its selector, narrowed to its
 * exporter name), each with the active lease on it from ListLeases: only jumpstarter.v1
 * ClientService calls, so it works against Jumpstarter's controller too.
 */
export async function matchingExporters(
  client: LeaseCalls,
  waiting: LeaseInfo,
  exporterName?: string,
): Promise<MatchingExporter[]> {
  const { clients } = client;
  const response = await clients.call<ListExportersResponse>("ListExporters", (m, o, cb) =>
    clients.client.listExporters(
      {
        parent: clients.namespacePath,
        pageSize: 0,
        pageToken: "",
        filter: waiting.selector,
        showHiddenLabels: false,
      },
      m,
      o,
      cb,
    ),
  );
  const exporters = response.exporters
    .map((e) => ({ ...e, short: e.name.split("/").pop() ?? e.name }))
    .filter((e) => !exporterName || e.short === exporterName);
  const active = await client.list().catch(() => [] as LeaseInfo[]);
  return exporters.map((e) => {
    const lease = active.find((l) => l.exporter === e.short && l.id !== waiting.id && l.state === "ready");
    const status = exporterStatusFromWire(e.status);
    return {
      name: e.short,
      online: e.online || (status !== "OFFLINE" && status !== "UNSPECIFIED"),
      status,
      heldBy: lease ? { id: lease.id, client: lease.client, endTime: lease.endTime } : undefined,
    };
  });
}

/** `mock-board: leased by lease X of client ci until …`, or what the controller does not say. */
export function describeExporter(e: MatchingExporter): string {
  if (e.heldBy) {
    const until = e.heldBy.endTime ? ` until ${bothClocks(e.heldBy.endTime)}` : " (no end time given)";
    return `${e.name}: leased by lease ${e.heldBy.id} of client ${e.heldBy.client ?? "unknown"}${until}`;
  }
  if (!e.online) return `${e.name}: offline`;
  if (e.status === "AVAILABLE")
    return `${e.name}: available (being assigned, or finishing its previous lease)`;
  return `${e.name}: ${e.status.toLowerCase().replaceAll("_", " ")}, by a lease of another client (the controller does not say which, nor until when)`;
}

/** The holders in one line, the same text while nothing changes. */
export function describeHolders(exporters: MatchingExporter[]): string {
  if (exporters.length === 0) return "no exporter matches";
  const count = exporters.length === 1 ? "1 exporter matches" : `${exporters.length} exporters match`;
  return `${count}: ${exporters.map(describeExporter).join("; ")}`;
}
