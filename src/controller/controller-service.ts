import { randomUUID } from "node:crypto";
import { once } from "node:events";
import type { ServerWritableStream } from "@grpc/grpc-js";
import { durationFromWire } from "../protocol/duration.ts";
import type {
  ControllerServiceServer,
  ListenRequest,
  ListenResponse,
  StatusRequest,
  StatusResponse,
} from "../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import { fromWireSelector } from "../protocol/selector.ts";
import { exporterStatusFromWire } from "../protocol/status.ts";
import type { Authenticator } from "./auth.ts";
import type { Principal } from "./config.ts";
import { callError } from "./errors.ts";
import { unary } from "./handlers.ts";
import { signRouterToken } from "./jwt.ts";
import type { LeaseBook } from "./lease-book.ts";
import { conditionsOf } from "./wire.ts";

/** Statuses in which Dial hands out a stream (spec 2.4). */
const DIALABLE = new Set(["LEASE_READY", "BEFORE_LEASE_HOOK", "AFTER_LEASE_HOOK", "UNSPECIFIED"]);
const DIAL_WAIT_MS = 30_000;

export interface ControllerServiceDeps {
  book: LeaseBook;
  auth: Authenticator;
  secret: Buffer;
  /** The router endpoint handed out by Dial and Listen. */
  routerEndpoint: () => string;
}

/** Where Listen streams wait for Dial's stream offers, per lease. */
class ListenHub {
  private readonly listeners = new Map<string, Set<(r: ListenResponse) => void>>();
  private readonly queued = new Map<string, ListenResponse[]>();

  add(lease: string, write: (r: ListenResponse) => void): () => void {
    const set = this.listeners.get(lease) ?? new Set<(r: ListenResponse) => void>();
    this.listeners.set(lease, set);
    set.add(write);
    for (const offer of this.queued.get(lease)?.splice(0) ?? []) write(offer);
    return () => set.delete(write);
  }

  offer(lease: string, response: ListenResponse): void {
    const set = this.listeners.get(lease);
    if (set && set.size > 0) for (const write of set) write(response);
    else {
      const queue = this.queued.get(lease) ?? [];
      // Bounded: a lease nobody listens for keeps only the latest offers.
      queue.push(response);
      this.queued.set(lease, queue.slice(-10));
    }
  }
}

export function controllerService(deps: ControllerServiceDeps): ControllerServiceServer {
  const { book, auth } = deps;
  const hub = new ListenHub();
  const statusStreams = new Map<string, number>();

  const ownLease = (me: Principal, name: string) => {
    const id = auth.resourceId(name, "leases");
    const lease = book.lease(id);
    if (!lease) throw callError.notFound(`no lease "${id}"`);
    if (lease.client !== me.name)
      throw callError.denied(`permission denied: lease "${id}" belongs to another client`);
    return lease;
  };

  const waitDialable = async (exporter: string) => {
    const deadline = Date.now() + DIAL_WAIT_MS;
    for (let round = 0; round < 1000; round++) {
      const e = book.exporter(exporter)!;
      const status = e.online ? e.status : "OFFLINE";
      if (DIALABLE.has(status)) return;
      if (status !== "AVAILABLE" || Date.now() >= deadline) {
        throw callError.precondition(`exporter is not ready (status: ${status}); wait and Dial again`);
      }
      const timeout = AbortSignal.timeout(Math.max(deadline - Date.now(), 1));
      await once(book.events, "changed", { signal: timeout }).catch(() => undefined);
    }
  };

  return {
    register: unary((call) => {
      const me = auth.check(call.metadata, "Exporter");
      book.mergeLabels(me.name, call.request.labels);
      return { uuid: randomUUID() };
    }),
    unregister: unary((call) => {
      const me = auth.check(call.metadata, "Exporter");
      book.setOnline(me.name, false);
      return {};
    }),
    reportStatus: unary((call) => {
      const me = auth.check(call.metadata, "Exporter");
      if (call.request.releaseLease) {
        const held = book.activeLeaseOf(me.name);
        if (held) book.releaseByExporter(me.name, held.id);
      }
      book.setStatus(me.name, exporterStatusFromWire(call.request.status), call.request.message ?? "");
      return {};
    }),
    listen: (call: ServerWritableStream<ListenRequest, ListenResponse>) => {
      let me: Principal;
      try {
        me = auth.check(call.metadata, "Exporter");
      } catch (error) {
        call.emit("error", {
          code: (error as { grpcCode?: number }).grpcCode,
          details: (error as Error).message,
        });
        return;
      }
      const leaseId = call.request.leaseName;
      const lease = book.lease(leaseId);
      if (!lease || lease.exporter !== me.name || lease.ended) {
        call.emit("error", { code: 7, details: `lease "${leaseId}" is not active on exporter ${me.name}` });
        return;
      }
      const remove = hub.add(leaseId, (r) => call.write(r));
      const onChange = () => {
        if (book.lease(leaseId)?.ended) cleanup(true);
      };
      const cleanup = (end: boolean) => {
        remove();
        book.events.off("changed", onChange);
        if (end && !call.writableEnded && !call.cancelled) call.end();
      };
      book.events.on("changed", onChange);
      call.on("cancelled", () => cleanup(false));
      call.on("close", () => cleanup(false));
    },
    status: (call: ServerWritableStream<StatusRequest, StatusResponse>) => {
      let me: Principal;
      try {
        me = auth.check(call.metadata, "Exporter");
      } catch (error) {
        call.emit("error", {
          code: (error as { grpcCode?: number }).grpcCode,
          details: (error as Error).message,
        });
        return;
      }
      let last = "";
      const send = () => {
        const lease = book.activeLeaseOf(me.name);
        const response: StatusResponse = lease
          ? { leased: true, leaseName: lease.id, clientName: lease.client, context: lease.context }
          : { leased: false, context: {} };
        const key = JSON.stringify(response);
        if (key !== last && !call.writableEnded) {
          last = key;
          call.write(response);
        }
      };
      statusStreams.set(me.name, (statusStreams.get(me.name) ?? 0) + 1);
      book.setOnline(me.name, true);
      book.events.on("changed", send);
      send();
      let done = false;
      const cleanup = () => {
        if (done) return;
        done = true;
        book.events.off("changed", send);
        const left = (statusStreams.get(me.name) ?? 1) - 1;
        statusStreams.set(me.name, left);
        if (left === 0) book.setOnline(me.name, false);
      };
      call.on("cancelled", cleanup);
      call.on("close", cleanup);
    },
    dial: unary(async (call) => {
      const me = auth.check(call.metadata, "Client");
      const lease = ownLease(me, call.request.leaseName);
      if (lease.ended || !lease.exporter) {
        throw callError.precondition(
          `lease not active: lease "${lease.id}" ${lease.ended ? "has ended" : "is still pending"}`,
        );
      }
      await waitDialable(lease.exporter);
      const streamId = randomUUID();
      const response = {
        routerEndpoint: deps.routerEndpoint(),
        routerToken: signRouterToken(deps.secret, streamId),
      };
      hub.offer(lease.id, response);
      return response;
    }),
    getLease: unary((call) => {
      const me = auth.check(call.metadata, "Client");
      const lease = ownLease(me, call.request.name);
      const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
      return {
        duration: { seconds: Math.floor(lease.durationMs / 1000), nanos: (lease.durationMs % 1000) * 1e6 },
        selector: { matchLabels: {}, matchExpressions: [] },
        beginTime: date(lease.beginTime),
        endTime: date(lease.ended?.at ?? lease.endTime),
        ...(lease.exporter ? { exporterUuid: lease.exporter } : {}),
        conditions: conditionsOf(book, lease),
      };
    }),
    requestLease: unary((call) => {
      const me = auth.check(call.metadata, "Client");
      const seconds = durationFromWire(call.request.duration) ?? 0;
      const selector = call.request.selector ? fromWireSelector(call.request.selector) : "";
      const record = book.create(me.name, { selector, durationMs: Math.round(seconds * 1000) });
      return { name: record.id };
    }),
    releaseLease: unary((call) => {
      const principalKind = call.metadata.get("jumpstarter-kind")[0]?.toString();
      if (principalKind === "Exporter") {
        const me = auth.check(call.metadata, "Exporter");
        book.releaseByExporter(me.name, auth.resourceId(call.request.name, "leases"));
      } else {
        const me = auth.check(call.metadata, "Client");
        book.release(me.name, auth.resourceId(call.request.name, "leases"));
      }
      return {};
    }),
    listLeases: unary((call) => {
      const me = auth.check(call.metadata, "Client");
      return {
        names: book
          .leases(me.name)
          .filter((l) => !l.ended)
          .map((l) => l.id),
      };
    }),
    getServiceEndpoints: unary((call) => {
      auth.check(call.metadata, "Exporter");
      return { telemetryEndpoints: [] };
    }),
  };
}
