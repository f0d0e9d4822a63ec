import { DRIVER_CALL_STATUSES, type ExporterStatusName, type StatusSnapshot } from "../../protocol/status.ts";

/**
 * The exporter status a session reports through GetStatus. Every change bumps `version`, so
 * clients polling it can tell a new status from an old one (spec 1.5).
 */
export class SessionStatus {
  private snapshot: StatusSnapshot;

  /** Local mode starts, and stays, LEASE_READY (spec 2.10). */
  constructor(initial: ExporterStatusName = "LEASE_READY", message?: string) {
    this.snapshot = { status: initial, version: 1, ...(message !== undefined ? { message } : {}) };
  }

  get current(): StatusSnapshot {
    return { ...this.snapshot };
  }

  set(status: ExporterStatusName, message?: string): StatusSnapshot {
    this.snapshot = {
      status,
      version: this.snapshot.version + 1,
      previous: this.snapshot.status,
      ...(message !== undefined ? { message } : {}),
    };
    return this.current;
  }

  /** Driver calls are allowed only while leased or running a lease hook (spec 2.5). */
  get acceptsDriverCalls(): boolean {
    return DRIVER_CALL_STATUSES.has(this.snapshot.status);
  }
}
