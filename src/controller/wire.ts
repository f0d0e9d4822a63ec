import { durationToWire } from "../protocol/duration.ts";
import type { Exporter, Lease } from "../protocol/gen/jumpstarter/client/v1/client.ts";
import type { Condition } from "../protocol/gen/jumpstarter/v1/kubernetes.ts";
import { exporterStatusToWire } from "../protocol/status.ts";
import type { ExporterLive, LeaseBook } from "./lease-book.ts";
import type { LeaseRecord } from "./state.ts";

function condition(type: string, status: boolean, reason: string, message: string, atMs: number): Condition {
  return {
    type,
    status: status ? "True" : "False",
    reason,
    message,
    lastTransitionTime: { seconds: Math.floor(atMs / 1000), nanos: (atMs % 1000) * 1e6 },
  };
}

/** Why a lease still waits, for "Waiting for lease: …" progress lines. */
export function pendingMessage(book: LeaseBook, lease: LeaseRecord): string {
  const { matching, busy, offline } = book.candidates(lease);
  const what = [
    lease.selector && `selector ${lease.selector}`,
    lease.exporterName && `exporter ${lease.exporterName}`,
  ]
    .filter(Boolean)
    .join(", ");
  const ahead = book.queuedAhead(lease);
  return `waiting for an exporter matching ${what}: ${matching} match, ${busy} leased, ${offline} offline; ${ahead} lease${ahead === 1 ? "" : "s"} queued ahead`;
}

/**
 * Conditions in the order the Python client reads them (spec 2.3): a waiting lease has only
 * Pending=True (Ready=False would read as "ended"); a held one Pending=False + Ready=True; an ended
 * one Ready=False with the reason; an unsatisfiable one Unsatisfiable=True.
 */
export function conditionsOf(book: LeaseBook, lease: LeaseRecord): Condition[] {
  if (lease.unsatisfiable) {
    return [
      condition("Unsatisfiable", true, "NoMatchingExporter", lease.unsatisfiable, lease.createdAt),
      condition("Pending", false, "Unsatisfiable", lease.unsatisfiable, lease.createdAt),
    ];
  }
  if (lease.ended) {
    return [
      condition("Ready", false, lease.ended.reason, `lease ended: ${lease.ended.message}`, lease.ended.at),
      condition("Pending", false, lease.ended.reason, lease.ended.message, lease.ended.at),
    ];
  }
  if (lease.exporter) {
    return [
      condition("Ready", true, "Ready", `leased on exporter ${lease.exporter}`, lease.beginTime!),
      condition("Pending", false, "Ready", "", lease.beginTime!),
    ];
  }
  return [condition("Pending", true, "Waiting", pendingMessage(book, lease), lease.createdAt)];
}

export function leaseToWire(book: LeaseBook, namespace: string, lease: LeaseRecord): Lease {
  const ns = `namespaces/${namespace}`;
  const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  const effectiveMs =
    lease.ended && lease.beginTime !== undefined ? lease.ended.at - lease.beginTime : lease.durationMs;
  return {
    name: `${ns}/leases/${lease.id}`,
    selector: lease.selector,
    duration: durationToWire(lease.durationMs / 1000),
    effectiveDuration: durationToWire(Math.max(effectiveMs, 0) / 1000),
    beginTime: date(lease.notBefore),
    effectiveBeginTime: date(lease.beginTime),
    endTime: date(lease.endTime),
    effectiveEndTime: date(lease.ended?.at),
    client: `${ns}/clients/${lease.client}`,
    exporter: lease.exporter ? `${ns}/exporters/${lease.exporter}` : "",
    conditions: conditionsOf(book, lease),
    exporterName: lease.exporterName ?? lease.exporter ?? "",
    tags: lease.tags,
    allowDisabled: false,
    context: lease.context,
    deprecatedLabels: {},
  };
}

export function exporterToWire(namespace: string, e: ExporterLive): Exporter {
  return {
    name: `namespaces/${namespace}/exporters/${e.name}`,
    labels: e.labels,
    online: e.online,
    status: exporterStatusToWire(e.online ? e.status : "OFFLINE"),
    statusMessage: e.statusMessage,
    enabled: true,
    deprecatedLabels: {},
  };
}
