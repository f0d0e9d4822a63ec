import { ExporterStatus } from "./gen/jumpstarter/v1/common.ts";

/** Exporter status names as the spec writes them (section 1.2), without the enum prefix. */
export type ExporterStatusName =
  | "UNSPECIFIED"
  | "OFFLINE"
  | "AVAILABLE"
  | "BEFORE_LEASE_HOOK"
  | "LEASE_READY"
  | "AFTER_LEASE_HOOK"
  | "BEFORE_LEASE_HOOK_FAILED"
  | "AFTER_LEASE_HOOK_FAILED";

const toWire: Record<ExporterStatusName, ExporterStatus> = {
  UNSPECIFIED: ExporterStatus.EXPORTER_STATUS_UNSPECIFIED,
  OFFLINE: ExporterStatus.EXPORTER_STATUS_OFFLINE,
  AVAILABLE: ExporterStatus.EXPORTER_STATUS_AVAILABLE,
  BEFORE_LEASE_HOOK: ExporterStatus.EXPORTER_STATUS_BEFORE_LEASE_HOOK,
  LEASE_READY: ExporterStatus.EXPORTER_STATUS_LEASE_READY,
  AFTER_LEASE_HOOK: ExporterStatus.EXPORTER_STATUS_AFTER_LEASE_HOOK,
  BEFORE_LEASE_HOOK_FAILED: ExporterStatus.EXPORTER_STATUS_BEFORE_LEASE_HOOK_FAILED,
  AFTER_LEASE_HOOK_FAILED: ExporterStatus.EXPORTER_STATUS_AFTER_LEASE_HOOK_FAILED,
};

export function exporterStatusToWire(name: ExporterStatusName): ExporterStatus {
  return toWire[name];
}

/** Unknown numbers (a newer peer) read as UNSPECIFIED. */
export function exporterStatusFromWire(value: ExporterStatus): ExporterStatusName {
  const entry = Object.entries(toWire).find(([, wire]) => wire === value);
  return entry ? (entry[0] as ExporterStatusName) : "UNSPECIFIED";
}

/** Statuses in which an exporter accepts driver calls (spec 2.5). */
export const DRIVER_CALL_STATUSES: ReadonlySet<ExporterStatusName> = new Set([
  "LEASE_READY",
  "BEFORE_LEASE_HOOK",
  "AFTER_LEASE_HOOK",
]);

/** What GetStatus reports. `version` grows with every change. */
export interface StatusSnapshot {
  status: ExporterStatusName;
  message?: string;
  version: number;
  previous?: ExporterStatusName;
}
