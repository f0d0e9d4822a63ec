import { durationFromWire } from "../protocol/duration.ts";
import type { Lease } from "../protocol/gen/jumpstarter/client/v1/client.ts";
import type { Condition } from "../protocol/gen/jumpstarter/v1/kubernetes.ts";

export type LeaseState = "pending" | "ready" | "ended" | "unsatisfiable" | "invalid";

/** A lease as the client reads it. */
export interface LeaseInfo {
  /** The short id (last segment of the resource name): what JMP_LEASE and --lease take. */
  id: string;
  /** `namespaces/{ns}/leases/{id}`. */
  name: string;
  selector: string;
  /** Exporter name, once assigned. */
  exporter: string | undefined;
  /** Client name (last segment). */
  client: string | undefined;
  durationS: number;
  beginTime: Date | undefined;
  /** When the lease ends: the effective end, else begin + duration. */
  endTime: Date | undefined;
  state: LeaseState;
  /** The controller's message for the state (why it waits, why it ended). */
  message: string;
}

const lastSegment = (name: string | undefined) => (name ? name.split("/").pop() || undefined : undefined);

/** The first condition of a type (the Python client reads only that one, spec 2.3). */
function first(conditions: Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

/** Reads the lease's state from its conditions in the reference client's order (spec 2.3). */
export function leaseStateOf(lease: Lease): { state: LeaseState; message: string } {
  const ready = first(lease.conditions, "Ready");
  const unsatisfiable = first(lease.conditions, "Unsatisfiable");
  const invalid = first(lease.conditions, "Invalid");
  const pending = first(lease.conditions, "Pending");
  if (ready?.status === "True") return { state: "ready", message: ready.message ?? "" };
  if (unsatisfiable?.status === "True")
    return { state: "unsatisfiable", message: unsatisfiable.message ?? "" };
  if (invalid?.status === "True") return { state: "invalid", message: invalid.message ?? "" };
  if (pending?.status === "False" || ready?.status === "False") {
    return { state: "ended", message: ready?.message || pending?.message || "lease is no longer active" };
  }
  if (lease.effectiveEndTime) return { state: "ended", message: "the lease has ended" };
  return { state: "pending", message: pending?.message ?? "waiting for an exporter" };
}

export function leaseInfo(lease: Lease): LeaseInfo {
  const durationS = durationFromWire(lease.duration) ?? durationFromWire(lease.effectiveDuration) ?? 0;
  const begin = lease.effectiveBeginTime ?? lease.beginTime;
  const end =
    lease.effectiveEndTime ??
    lease.endTime ??
    (begin ? new Date(begin.getTime() + durationS * 1000) : undefined);
  return {
    id: lastSegment(lease.name) ?? lease.name,
    name: lease.name,
    selector: lease.selector,
    exporter: lastSegment(lease.exporter) ?? undefined,
    client: lastSegment(lease.client),
    durationS,
    beginTime: begin,
    endTime: end,
    ...leaseStateOf(lease),
  };
}
