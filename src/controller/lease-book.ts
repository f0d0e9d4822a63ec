import { EventEmitter } from "node:events";
import { type LabelSelector, matchesSelector, parseSelector, SelectorError } from "../protocol/selector.ts";
import type { ExporterStatusName } from "../protocol/status.ts";
import type { Principal } from "./config.ts";
import { callError } from "./errors.ts";
import { type ControllerState, type EndReason, type LeaseRecord, type StateFile, uuidv7 } from "./state.ts";

/** What the controller knows of an exporter besides its config. */
export interface ExporterLive {
  name: string;
  labels: Record<string, string>;
  /** Has an open Status stream. */
  online: boolean;
  status: ExporterStatusName;
  statusMessage: string;
  /** Set when a lease ended; cleared once the exporter reports AVAILABLE again (session closed). */
  draining: boolean;
  /** The exporter reported a status other than AVAILABLE since its current lease began. */
  busySinceLease: boolean;
}

export interface LeaseRequest {
  id?: string;
  selector: string;
  exporterName?: string;
  durationMs?: number;
  beginTime?: number;
  endTime?: number;
  tags?: Record<string, string>;
  context?: Record<string, string>;
}

const KEEP_ENDED_MS = 24 * 3600 * 1000;
const idPattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The lease engine: first-come queue, exclusive assignment, expiry. It knows no gRPC; the
 * services translate. Every change is saved to the state file before the caller hears of it.
 */
export class LeaseBook {
  readonly events = new EventEmitter();
  private readonly state: ControllerState;
  private readonly exporters = new Map<string, ExporterLive>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(
    exporters: Principal[],
    private readonly file: StateFile,
    now: () => number = Date.now,
  ) {
    this.now = now;
    this.events.setMaxListeners(0);
    for (const e of exporters) {
      this.exporters.set(e.name, {
        name: e.name,
        labels: { ...e.labels },
        online: false,
        status: "OFFLINE",
        statusMessage: "",
        draining: false,
        busySinceLease: false,
      });
    }
    this.state = file.load();
    this.settle();
  }

  exporter(name: string): ExporterLive | undefined {
    return this.exporters.get(name);
  }

  listExporters(): ExporterLive[] {
    return [...this.exporters.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  lease(id: string): LeaseRecord | undefined {
    return this.state.leases.find((l) => l.id === id);
  }

  leases(client?: string): LeaseRecord[] {
    return this.state.leases.filter((l) => client === undefined || l.client === client);
  }

  /** The active lease an exporter holds, if any. */
  activeLeaseOf(exporter: string): LeaseRecord | undefined {
    return this.state.leases.find((l) => l.exporter === exporter && !l.ended);
  }

  create(client: string, request: LeaseRequest): LeaseRecord {
    let selector: LabelSelector;
    try {
      selector = parseSelector(request.selector);
    } catch (error) {
      throw callError.invalid(error instanceof SelectorError ? error.message : String(error));
    }
    if (selector.requirements.length === 0 && !request.exporterName) {
      throw callError.invalid("a lease needs a selector or an exporter name; pass -l board=... or -n NAME");
    }
    const { durationMs, notBefore } = this.timesOf(request);
    const id = request.id || uuidv7(this.now());
    if (!idPattern.test(id))
      throw callError.invalid(`lease id "${id}" is not a DNS label; use a-z, 0-9 and -`);
    if (this.lease(id)) throw callError.invalid(`lease id "${id}" is taken; choose another id`);
    const record: LeaseRecord = {
      id,
      client,
      selector: selector.text,
      ...(request.exporterName ? { exporterName: request.exporterName } : {}),
      durationMs,
      createdAt: this.now(),
      ...(notBefore !== undefined ? { notBefore } : {}),
      tags: request.tags ?? {},
      context: request.context ?? {},
    };
    const candidates = this.listExporters().filter((e) => this.fits(record, selector, e));
    if (candidates.length === 0) {
      record.unsatisfiable = `no exporter matches ${this.describe(record)}; known exporters: ${
        this.listExporters()
          .map(
            (e) =>
              `${e.name} {${Object.entries(e.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(",")}}`,
          )
          .join(", ") || "none"
      }`;
      record.ended = { at: this.now(), reason: "Unsatisfiable", message: record.unsatisfiable };
    }
    this.state.leases.push(record);
    this.settle();
    return record;
  }

  /** Ends a lease (DeleteLease / ReleaseLease). Only the holder may; ending twice is FAILED_PRECONDITION. */
  release(client: string | undefined, id: string, reason: EndReason = "Released"): LeaseRecord {
    const record = this.lease(id);
    if (!record) throw callError.notFound(`no lease "${id}"; list leases with "dutkit lease list"`);
    if (client !== undefined && record.client !== client) {
      throw callError.denied(`lease "${id}" belongs to another client; you can only delete your own leases`);
    }
    if (record.ended)
      throw callError.precondition(`lease "${id}" has already ended (${record.ended.reason})`);
    this.end(record, reason, reason === "Released" ? "released by its holder" : reason);
    this.settle();
    return record;
  }

  /** ReleaseLease from the exporter side: the exporter ends its own current lease. */
  releaseByExporter(exporter: string, id: string): void {
    const record = this.lease(id);
    if (!record || record.exporter !== exporter)
      throw callError.denied(`lease "${id}" is not held on exporter ${exporter}`);
    if (!record.ended) this.end(record, "Released", "released by the exporter");
    this.settle();
  }

  setOnline(name: string, online: boolean): void {
    const e = this.exporters.get(name);
    // Streams cut by our own shutdown are not exporters going offline: the leases stay as saved.
    if (!e || this.closed) return;
    e.online = online;
    if (!online) {
      e.status = "OFFLINE";
      const held = this.activeLeaseOf(name);
      if (held) this.end(held, "ExporterOffline", `exporter ${name} went offline during the lease`);
      e.draining = false;
    }
    this.settle();
  }

  setStatus(name: string, status: ExporterStatusName, message = ""): void {
    const e = this.exporters.get(name);
    if (!e) return;
    e.status = status;
    e.statusMessage = message;
    if (status !== "AVAILABLE" && this.activeLeaseOf(name)) e.busySinceLease = true;
    if (status === "AVAILABLE" || status === "UNSPECIFIED") e.draining = false;
    this.settle();
  }

  mergeLabels(name: string, labels: Record<string, string>): void {
    const e = this.exporters.get(name);
    if (e) e.labels = { ...labels, ...e.labels };
  }

  /** How many exporters could take this lease, and how many of those are leased or offline. */
  candidates(lease: LeaseRecord): { matching: number; busy: number; offline: number } {
    const selector = parseSelector(lease.selector);
    const matching = this.listExporters().filter((e) => this.fits(lease, selector, e));
    return {
      matching: matching.length,
      busy: matching.filter((e) => e.online && (this.activeLeaseOf(e.name) || e.draining)).length,
      offline: matching.filter((e) => !e.online).length,
    };
  }

  /** How many waiting leases, asked for earlier, could take one of this lease's exporters first. */
  queuedAhead(lease: LeaseRecord): number {
    const selector = parseSelector(lease.selector);
    const mine = this.listExporters().filter((e) => this.fits(lease, selector, e));
    const index = this.state.leases.indexOf(lease);
    return this.state.leases.slice(0, Math.max(index, 0)).filter((other) => {
      if (other.ended || other.exporter) return false;
      const theirs = parseSelector(other.selector);
      return mine.some((e) => this.fits(other, theirs, e));
    }).length;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  /** Ends expired leases, assigns waiting ones first come first served, saves, arms the next timer. */
  private settle(): void {
    if (this.closed) return;
    const now = this.now();
    // Ended leases are kept a day for GetLease/ListLeases --all, then dropped: the file stays small.
    this.state.leases = this.state.leases.filter((l) => !l.ended || now - l.ended.at < KEEP_ENDED_MS);
    for (const l of this.state.leases) {
      if (!l.ended && l.endTime !== undefined && l.endTime <= now)
        this.end(l, "Expired", "the lease's duration ran out");
    }
    for (const l of this.state.leases) {
      if (l.ended || l.exporter || (l.notBefore !== undefined && l.notBefore > now)) continue;
      const selector = parseSelector(l.selector);
      const free = this.listExporters().find(
        (e) =>
          this.fits(l, selector, e) &&
          e.online &&
          !e.draining &&
          (e.status === "AVAILABLE" || e.status === "UNSPECIFIED") &&
          !this.activeLeaseOf(e.name),
      );
      if (!free) continue;
      l.exporter = free.name;
      free.busySinceLease = false;
      l.beginTime = now;
      l.endTime = now + l.durationMs;
    }
    this.file.save(this.state);
    this.arm(now);
    this.events.emit("changed");
  }

  private end(record: LeaseRecord, reason: EndReason, message: string): void {
    record.ended = { at: this.now(), reason, message };
    if (record.exporter) {
      const e = this.exporters.get(record.exporter);
      // Jumpstarter's exporter reports AVAILABLE at EndSession, before the lease ends, and not
      // again afterwards (spec 9): that report counts; waiting for another would strand it.
      const availableAgain = e?.status === "AVAILABLE" && e.busySinceLease;
      if (e?.online && !availableAgain) e.draining = true;
    }
  }

  private arm(now: number): void {
    clearTimeout(this.timer);
    const next = Math.min(
      ...this.state.leases
        .filter((l) => !l.ended)
        .map((l) => l.endTime ?? l.notBefore ?? Number.POSITIVE_INFINITY),
    );
    if (Number.isFinite(next)) {
      this.timer = setTimeout(() => this.settle(), Math.min(Math.max(next - now, 0) + 5, 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private fits(lease: LeaseRecord, selector: LabelSelector, e: ExporterLive): boolean {
    if (lease.exporterName && lease.exporterName !== e.name) return false;
    return matchesSelector(selector, e.labels);
  }

  private describe(record: LeaseRecord): string {
    return [
      record.selector && `selector "${record.selector}"`,
      record.exporterName && `name "${record.exporterName}"`,
    ]
      .filter(Boolean)
      .join(" and ");
  }

  /** Duration from duration / begin+end / end+duration (spec 2.3); all given must agree. */
  private timesOf(r: LeaseRequest): { durationMs: number; notBefore?: number } {
    let durationMs = r.durationMs;
    let begin = r.beginTime;
    if (durationMs === undefined && begin !== undefined && r.endTime !== undefined)
      durationMs = r.endTime - begin;
    if (begin === undefined && durationMs !== undefined && r.endTime !== undefined)
      begin = r.endTime - durationMs;
    if (durationMs === undefined)
      throw callError.invalid("a lease needs a duration (or begin and end times); pass --duration 30m");
    if (durationMs <= 0) throw callError.invalid("the lease duration must be greater than zero");
    if (begin !== undefined && r.endTime !== undefined && begin + durationMs !== r.endTime) {
      throw callError.invalid("begin time, end time and duration disagree; give two of them");
    }
    return { durationMs, ...(begin !== undefined && begin > this.now() ? { notBefore: begin } : {}) };
  }
}
