import { ControllerClients } from "../protocol/controller-client.ts";
import { durationToWire } from "../protocol/duration.ts";
import type { Exporter, Lease, ListLeasesResponse } from "../protocol/gen/jumpstarter/client/v1/client.ts";
import { parseSelector } from "../protocol/selector.ts";
import type { ClientConfig } from "./client-config.ts";
import { HeldLease } from "./held-lease.ts";
import type { LeaseCalls } from "./lease-calls.ts";
import { LeaseError } from "./lease-errors.ts";
import { type LeaseInfo, leaseInfo } from "./lease-info.ts";
import { DEFAULT_PROGRESS_EVERY_MS, waitForReady } from "./lease-wait.ts";
import { guardPendingLease, type PendingLeaseGuard } from "./pending-lease-guard.ts";

export { LeaseError };

export interface LeaseAcquireOptions {
  /** Label selector (k8s syntax). */
  selector?: string;
  /** A specific exporter by name. */
  exporterName?: string;
  /** Use this existing lease (`--lease`, `JMP_LEASE`); it is not deleted on release. */
  leaseName?: string;
  /** The id to create the lease under (CreateLease lease_id); default: the controller picks one. */
  leaseId?: string;
  /** Lease duration in seconds; default 1800 (30 min). */
  durationS?: number;
  /** Give up waiting for Ready after this long; default the client config's (7200 s). */
  acquisitionTimeoutS?: number;
  /** GetLease polling period while waiting; default 1000 ms. */
  pollMs?: number;
  /** Progress lines ("waiting for lease …"): on every change of the queue or the holders, and at least every `progressEveryMs`. */
  onProgress?: (line: string) => void;
  /** The longest silence between progress lines while waiting; default 30 000 ms. */
  progressEveryMs?: number;
  /** Stops waiting (LeaseWaitAbortedError); a lease created here is deleted. */
  signal?: AbortSignal;
}

/** A client of the controller's ClientService: create, get, list, delete leases, and acquire one. */
export class LeaseClient implements LeaseCalls {
  readonly clients: ControllerClients;
  constructor(readonly config: ClientConfig) {
    this.clients = new ControllerClients({ kind: "Client", ...config });
  }

  /** `namespaces/{ns}/leases/{id}` for a short id. */
  leaseName(id: string): string {
    return id.includes("/") ? id : `${this.clients.namespacePath}/leases/${id}`;
  }

  async create(options: {
    selector?: string;
    exporterName?: string;
    durationS: number;
    leaseId?: string;
  }): Promise<LeaseInfo> {
    const selector = options.selector ? parseSelector(options.selector).text : "";
    const lease = await this.clients.call<Lease>("CreateLease", (m, o, cb) =>
      this.clients.client.createLease(
        {
          parent: this.clients.namespacePath,
          leaseId: options.leaseId ?? "",
          lease: {
            name: "",
            selector,
            duration: durationToWire(options.durationS),
            effectiveDuration: undefined,
            conditions: [],
            ...(options.exporterName ? { exporterName: options.exporterName } : {}),
            tags: {},
            allowDisabled: false,
            context: {},
            deprecatedLabels: {},
          },
        },
        m,
        o,
        cb,
      ),
    );
    return leaseInfo(lease);
  }

  async get(id: string): Promise<LeaseInfo> {
    const lease = await this.clients.call<Lease>("GetLease", (m, o, cb) =>
      this.clients.client.getLease({ name: this.leaseName(id) }, m, o, cb),
    );
    return leaseInfo(lease);
  }

  async list(options: { all?: boolean } = {}): Promise<LeaseInfo[]> {
    const response = await this.clients.call<ListLeasesResponse>("ListLeases", (m, o, cb) =>
      this.clients.client.listLeases(
        {
          parent: this.clients.namespacePath,
          pageSize: 0,
          pageToken: "",
          filter: "",
          onlyActive: !options.all,
          tagFilter: "",
        },
        m,
        o,
        cb,
      ),
    );
    return response.leases.map(leaseInfo);
  }

  async delete(id: string): Promise<void> {
    await this.clients.call("DeleteLease", (m, o, cb) =>
      this.clients.client.deleteLease({ name: this.leaseName(id) }, m, o, cb),
    );
  }

  async exporterLabels(name: string): Promise<Record<string, string>> {
    const exporter = await this.clients.call<Exporter>("GetExporter", (m, o, cb) =>
      this.clients.client.getExporter(
        { name: `${this.clients.namespacePath}/exporters/${name}`, showHiddenLabels: false },
        m,
        o,
        cb,
      ),
    );
    return exporter.labels;
  }

  /**
   * Acquires a lease as the reference client does (spec 2.3): an existing one by name, else a new
   * one; waits for Ready (progress on change, bounded by the acquisition timeout); Unsatisfiable,
   * Invalid and ended leases fail at once with the controller's message. A lease created here and
   * not acquired is deleted.
   */
  async acquire(options: LeaseAcquireOptions): Promise<HeldLease> {
    const started = Date.now();
    const timeoutS = options.acquisitionTimeoutS ?? this.config.leases.acquisitionTimeoutS;
    let info: LeaseInfo | undefined;
    let created = false;
    let guard: PendingLeaseGuard | undefined;
    if (options.leaseName) {
      info = await this.get(options.leaseName);
      if (options.selector && parseSelector(options.selector).text !== parseSelector(info.selector).text) {
        options.onProgress?.(
          `lease ${info.id} has selector "${info.selector}", not "${options.selector}": creating a new lease instead`,
        );
        info = undefined;
      }
    }
    if (info) {
      if (info.state === "ended")
        throw new LeaseError(`lease ${info.id} has already ended (${info.message}); create a new one`);
      if (info.client && info.client !== this.config.name) {
        throw new LeaseError(
          `lease ${info.id} belongs to client ${info.client}, not ${this.config.name}; use your own lease`,
        );
      }
    } else {
      if (!options.selector && !options.exporterName) {
        throw new LeaseError(
          "nothing to lease: give a selector (-l board=...), an exporter name, or a lease name (JMP_LEASE)",
        );
      }
      const creating = this.create({
        durationS: options.durationS ?? 1800,
        ...(options.leaseId ? { leaseId: options.leaseId } : {}),
        ...(options.selector ? { selector: options.selector } : {}),
        ...(options.exporterName ? { exporterName: options.exporterName } : {}),
      });
      // A lease created here is deleted on every way out of the wait, from the moment it is asked
      // for: an error, the timeout, the signal, Ctrl-C/SIGTERM/SIGHUP, the loss of the IPC parent,
      // and the process's exit.
      guard = guardPendingLease(this, creating, options.leaseId);
      try {
        info = await creating;
      } catch (error) {
        guard.dispose();
        throw error;
      }
      created = true;
    }
    try {
      info = await waitForReady(this, info, {
        timeoutS,
        pollMs: options.pollMs ?? 1000,
        progressEveryMs: options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS,
        ...(options.selector ? { selector: options.selector } : {}),
        ...(options.exporterName ? { exporterName: options.exporterName } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const labels = await this.exporterLabels(info.exporter!).catch(() => ({}));
      return new HeldLease(this, info, { created, labels, waitedMs: Date.now() - started });
    } catch (error) {
      await guard?.deleteNow();
      throw error;
    } finally {
      guard?.dispose();
    }
  }

  close(): void {
    this.clients.close();
  }
}
