import { durationFromWire } from "../protocol/duration.ts";
import type { ClientServiceServer, ListLeasesRequest } from "../protocol/gen/jumpstarter/client/v1/client.ts";
import { matchesSelector, parseSelector } from "../protocol/selector.ts";
import type { Authenticator } from "./auth.ts";
import { callError } from "./errors.ts";
import { unary } from "./handlers.ts";
import type { LeaseBook } from "./lease-book.ts";
import type { LeaseRecord } from "./state.ts";
import { exporterToWire, leaseToWire } from "./wire.ts";

function leaseFilter(request: ListLeasesRequest): (lease: LeaseRecord) => boolean {
  let filter: ReturnType<typeof parseSelector> | undefined;
  try {
    filter = request.filter ? parseSelector(request.filter) : undefined;
  } catch (error) {
    throw callError.invalid((error as Error).message);
  }
  return (lease) => {
    if (request.onlyActive !== false && lease.ended) return false;
    if (!filter) return true;
    // A lease "has" the labels its selector requires by equality (spec 3: matchLabels mirrored).
    const labels = Object.fromEntries(
      parseSelector(lease.selector)
        .requirements.filter((r) => r.operator === "In" && r.values.length === 1)
        .map((r) => [r.key, r.values[0]!]),
    );
    return matchesSelector(filter, labels);
  };
}

/** `jumpstarter.client.v1.ClientService` (spec 1.8) over the lease book. */
export function clientService(book: LeaseBook, auth: Authenticator): ClientServiceServer {
  const ns = auth.namespace;
  return {
    getExporter: unary((call) => {
      auth.check(call.metadata, "Client");
      const name = auth.resourceId(call.request.name, "exporters");
      const exporter = book.exporter(name);
      if (!exporter) throw callError.notFound(`no exporter "${name}"; list them with ListExporters`);
      return exporterToWire(ns, exporter);
    }),
    listExporters: unary((call) => {
      auth.check(call.metadata, "Client");
      auth.checkParent(call.request.parent);
      let filter: ReturnType<typeof parseSelector>;
      try {
        filter = parseSelector(call.request.filter);
      } catch (error) {
        throw callError.invalid((error as Error).message);
      }
      const exporters = book.listExporters().filter((e) => matchesSelector(filter, e.labels));
      return { exporters: exporters.map((e) => exporterToWire(ns, e)), nextPageToken: "" };
    }),
    getLease: unary((call) => {
      const me = auth.check(call.metadata, "Client");
      const id = auth.resourceId(call.request.name, "leases");
      const lease = book.lease(id);
      if (!lease) throw callError.notFound(`no lease "${id}"; it may never have existed on this controller`);
      if (lease.client !== me.name)
        throw callError.denied(`permission denied: lease "${id}" belongs to another client`);
      return leaseToWire(book, ns, lease);
    }),
    listLeases: unary((call) => {
      const me = auth.check(call.metadata, "Client");
      auth.checkParent(call.request.parent);
      const keep = leaseFilter(call.request);
      return {
        leases: book
          .leases(me.name)
          .filter(keep)
          .map((l) => leaseToWire(book, ns, l)),
        nextPageToken: "",
      };
    }),
    createLease: unary((call) => {
      const me = auth.check(call.metadata, "Client");
      auth.checkParent(call.request.parent);
      const lease = call.request.lease;
      if (!lease) throw callError.invalid("CreateLease needs a lease (selector and duration)");
      const duration = durationFromWire(lease.duration);
      const record = book.create(me.name, {
        id: call.request.leaseId,
        selector: lease.selector,
        ...(lease.exporterName ? { exporterName: lease.exporterName } : {}),
        ...(duration !== undefined && duration > 0 ? { durationMs: Math.round(duration * 1000) } : {}),
        ...(duration !== undefined && duration <= 0 && !lease.endTime ? { durationMs: 0 } : {}),
        ...(lease.beginTime ? { beginTime: lease.beginTime.getTime() } : {}),
        ...(lease.endTime ? { endTime: lease.endTime.getTime() } : {}),
        tags: lease.tags,
        context: lease.context,
      });
      return leaseToWire(book, ns, record);
    }),
    updateLease: unary(() => {
      throw callError.unimplemented(
        "UpdateLease is not supported by the dutkit controller; delete and create a new lease",
      );
    }),
    deleteLease: unary((call) => {
      const me = auth.check(call.metadata, "Client");
      book.release(me.name, auth.resourceId(call.request.name, "leases"));
      return {};
    }),
    rotateToken: unary(() => {
      throw callError.unimplemented(
        "RotateToken is not supported: tokens are declared in the controller config",
      );
    }),
  };
}
