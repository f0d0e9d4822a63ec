import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClientReadableStream } from "@grpc/grpc-js";
import type { LoadedExporterConfig } from "../../config/types.ts";
import { DutkitError, messageOf } from "../../core/errors.ts";
import { ControllerClients, type ControllerIdentity } from "../../protocol/controller-client.ts";
import type { ListenResponse, StatusResponse } from "../../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import { openRouterStream, spliceSocket } from "../../protocol/router-splice.ts";
import { type ExporterStatusName, exporterStatusToWire } from "../../protocol/status.ts";
import { type ServedSession, SessionStatus, serveSession } from "../grpc/index.ts";
import { Session } from "../session.ts";
import { runHook } from "./hooks.ts";

export interface LeasedExporterOptions {
  loaded: LoadedExporterConfig;
  /** Overrides of the config's endpoint, token, namespace (e.g. from the CLI). */
  endpoint?: string;
  token?: string;
  /** Progress and problems, one line each. */
  log?: (line: string) => void;
  /** Consecutive failed reconnects to the controller before giving up. Default 60 (about 5 min). */
  maxReconnects?: number;
}

export interface LeasedExporter {
  /** The lease being served, if any. */
  readonly currentLease: string | undefined;
  /** Resolves when the exporter stops (close), rejects when it gives up on the controller. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

interface ActiveLease {
  name: string;
  client: string;
  session: Session;
  served: ServedSession;
  status: SessionStatus;
  listen: ClientReadableStream<ListenResponse>;
  /** Set by EndSession: the afterLease hook, then AVAILABLE reported (once per lease). */
  finished?: Promise<void>;
}

function identityOf(options: LeasedExporterOptions): ControllerIdentity {
  const { config, source } = options.loaded;
  const endpoint = options.endpoint ?? config.endpoint ?? undefined;
  const token = options.token ?? config.token ?? undefined;
  const namespace = config.metadata.namespace;
  if (!endpoint || !token || !namespace) {
    const missing = [!endpoint && "endpoint", !token && "token", !namespace && "metadata.namespace"].filter(
      Boolean,
    );
    throw new DutkitError(
      "ERR_DUTKIT_EXPORTER_REGISTRATION",
      `${source} has no ${missing.join(", ")}: an exporter registered with a controller needs them; add them, or serve it standalone with --listen/--unix`,
    );
  }
  const ca = config.tls?.ca ? Buffer.from(config.tls.ca, "base64").toString("utf8") : undefined;
  return {
    kind: "Exporter",
    namespace,
    name: config.metadata.name,
    endpoint,
    token,
    tls: { ...(ca ? { ca } : {}), insecure: config.tls?.insecure ?? false },
    ...(config.grpcOptions ? { grpcOptions: config.grpcOptions } : {}),
  };
}

/**
 * Runs an exporter registered with a controller (spec 2.5): Register, ReportStatus AVAILABLE,
 * then follow the Status stream. Each lease gets a fresh driver tree served on a private unix
 * socket; each Listen offer is bridged to it through the router; at lease end the session is
 * closed (drivers closed), the lease released and AVAILABLE reported again.
 */
export async function startLeasedExporter(options: LeasedExporterOptions): Promise<LeasedExporter> {
  const identity = identityOf(options);
  const log = options.log ?? (() => {});
  const clients = new ControllerClients(identity);
  const dir = await mkdtemp(join(tmpdir(), "dutkit-exporter-"));
  const loaded = options.loaded;
  let active: ActiveLease | undefined;
  let statusCall: ClientReadableStream<StatusResponse> | undefined;
  let stopping = false;
  let queue = Promise.resolve();
  let leases = 0;

  const report = (status: ExporterStatusName, message?: string) =>
    clients
      .call("ReportStatus", (m, o, cb) =>
        clients.controller.reportStatus(
          { status: exporterStatusToWire(status), ...(message ? { message } : {}) },
          m,
          o,
          cb,
        ),
      )
      .catch((error) => log(`reporting ${status} failed: ${messageOf(error)}`));

  const probe = await Session.open(loaded);
  const reports = await probe.report().finally(() => probe.close().catch(() => {}));
  try {
    await clients.call("Register", (m, o, cb) =>
      clients.controller.register(
        {
          labels: { ...loaded.config.metadata.labels, "jumpstarter.dev/name": identity.name },
          reports: reports.reports.map((r) => ({
            ...r,
            labels: r.labels,
            methodsDescription: r.methodsDescription,
          })),
        },
        m,
        o,
        cb,
      ),
    );
  } catch (error) {
    clients.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  await report("AVAILABLE");
  log(`registered ${identity.name} with ${identity.endpoint}`);

  const bridge = (lease: ActiveLease, offer: ListenResponse) => {
    const socket = connect({ path: lease.served.address });
    const call = openRouterStream(clients.router(offer.routerEndpoint), offer.routerToken);
    spliceSocket(socket, call, (error) =>
      log(`router stream of lease ${lease.name} failed: ${error.details}`),
    );
  };

  /** Listen for the lease's stream offers; reopened (bounded) if it breaks while the lease lasts. */
  const openListen = (name: string, attempt = 0): ClientReadableStream<ListenResponse> => {
    const listen = clients.controller.listen({ leaseName: name });
    listen.on("data", (offer: ListenResponse) => {
      if (active?.name === name) bridge(active, offer);
    });
    listen.on("error", () => {
      if (active?.name !== name || active.listen !== listen || attempt >= 20) return;
      setTimeout(
        () => {
          if (active?.name === name && active.listen === listen)
            active.listen = openListen(name, attempt + 1);
        },
        250 * (attempt + 1),
      ).unref();
    });
    return listen;
  };

  const hooks = loaded.config.hooks ?? undefined;
  let fatal: DutkitError | undefined;
  const hookEnv = (lease: ActiveLease) => ({
    JUMPSTARTER_HOST: lease.served.address,
    LEASE_NAME: lease.name,
    CLIENT_NAME: lease.client,
  });
  /** A failed hook: report it; `exit` stops the exporter (spec 2.5 onFailure). */
  const hookFailed = async (which: "beforeLease" | "afterLease", message: string) => {
    log(message);
    const status = which === "beforeLease" ? "BEFORE_LEASE_HOOK_FAILED" : "AFTER_LEASE_HOOK_FAILED";
    active?.status.set(status, message);
    await report(status, message);
    if (hooks?.[which]?.onFailure === "exit") {
      fatal = new DutkitError("ERR_DUTKIT_HOOK_FAILED", `${message}; the exporter stops (onFailure: exit)`);
      statusCall?.cancel();
    }
  };

  const afterLease = async (lease: ActiveLease) => {
    if (hooks?.afterLease && lease.status.current.status !== "BEFORE_LEASE_HOOK_FAILED") {
      lease.status.set("AFTER_LEASE_HOOK");
      await report("AFTER_LEASE_HOOK");
      const result = await runHook("afterLease", hooks.afterLease, hookEnv(lease));
      if (!result.ok) await hookFailed("afterLease", result.message);
    }
  };

  /**
   * EndSession as Jumpstarter's exporter (spec 2.5, 9): run the afterLease hook and report
   * AVAILABLE while the session keeps serving; the client then deletes the lease itself. Releasing
   * the lease here would fail the client's next Dial ("lease not active") and hang it.
   */
  const finishLease = (lease: ActiveLease) => {
    lease.finished ??= (async () => {
      await afterLease(lease);
      if (lease.status.current.status === "AFTER_LEASE_HOOK_FAILED") return;
      lease.status.set("AVAILABLE");
      await report("AVAILABLE");
    })();
    return lease.finished;
  };

  const beginLease = async (name: string, client: string) => {
    const session = await Session.open(loaded);
    const status = new SessionStatus(hooks?.beforeLease ? "BEFORE_LEASE_HOOK" : "LEASE_READY");
    const served = await serveSession(session, {
      listen: join(dir, `lease-${++leases}.sock`),
      status,
      ...(loaded.config.motd ? { motd: loaded.config.motd } : {}),
      endSession: async () => {
        if (active?.name !== name) return { success: false, message: "No active lease context" };
        void finishLease(active).catch((error) => log(`ending the session of ${name}: ${messageOf(error)}`));
        return { success: true };
      },
      shutdownGraceMs: 1000,
    });
    const lease: ActiveLease = { name, client, session, served, status, listen: openListen(name) };
    active = lease;
    log(`lease ${name} begins`);
    if (hooks?.beforeLease) {
      await report("BEFORE_LEASE_HOOK");
      const result = await runHook("beforeLease", hooks.beforeLease, hookEnv(lease));
      if (!result.ok && (hooks.beforeLease.onFailure ?? "warn") === "warn") {
        status.set("LEASE_READY", `[HOOK_WARNING] ${result.message}`);
        await report("LEASE_READY", `[HOOK_WARNING] ${result.message}`);
        return;
      }
      if (!result.ok) {
        await hookFailed("beforeLease", result.message);
        await clients
          .call("ReleaseLease", (m, o, cb) => clients.controller.releaseLease({ name }, m, o, cb))
          .catch(() => {});
        return;
      }
      status.set("LEASE_READY");
    }
    await report("LEASE_READY");
  };

  /** Closes the lease's session; `release` tells the controller (not when it is the controller we lost). */
  const endLease = async ({ release = true }: { release?: boolean } = {}) => {
    const lease = active;
    if (!lease) return;
    if (lease.finished) await lease.finished.catch(() => {});
    else await afterLease(lease);
    const reported = lease.finished !== undefined && lease.status.current.status === "AVAILABLE";
    active = undefined;
    lease.status.set("AVAILABLE");
    lease.listen.cancel();
    await lease.served.close();
    await lease.session
      .close()
      .catch((error) => log(`closing drivers after lease ${lease.name}: ${messageOf(error)}`));
    if (!release) {
      log(`lease ${lease.name}: lost the controller; the session is closed until it comes back`);
      return;
    }
    await clients
      .call("ReleaseLease", (m, o, cb) => clients.controller.releaseLease({ name: lease.name }, m, o, cb))
      .catch(() => {});
    // After EndSession, AVAILABLE was reported already; Jumpstarter's exporter does not repeat it.
    if (!stopping && !reported) await report("AVAILABLE");
    log(`lease ${lease.name} ended`);
  };

  const onStatus = (status: StatusResponse) => {
    queue = queue
      .then(async () => {
        if (status.leased && status.leaseName && status.leaseName !== active?.name) {
          await endLease();
          await beginLease(status.leaseName, status.clientName ?? "");
        } else if (!status.leased && active) await endLease();
      })
      .catch((error) => log(`lease change failed: ${messageOf(error)}`));
  };

  let following: () => void = () => {};
  const firstStatus = new Promise<void>((resolve) => {
    following = resolve;
  });
  const follow = async () => {
    let failures = 0;
    const max = options.maxReconnects ?? 60;
    while (!stopping) {
      const ended = await new Promise<boolean>((resolve) => {
        statusCall = clients.controller.status({});
        statusCall.on("data", (s: StatusResponse) => {
          failures = 0;
          following();
          onStatus(s);
        });
        statusCall.on("error", () => resolve(false));
        statusCall.on("end", () => resolve(true));
      });
      if (fatal) {
        await queue;
        await endLease();
        throw fatal;
      }
      if (stopping) return;
      // The controller is gone or restarting: no lease can go on without it.
      await queue;
      await endLease({ release: false });
      failures += ended ? 0 : 1;
      if (failures > max) {
        throw new DutkitError(
          "ERR_DUTKIT_CONTROLLER_LOST",
          `lost the controller at ${identity.endpoint} (${max} reconnects failed); check that it runs`,
        );
      }
      await sleep(Math.min(250 * 2 ** Math.min(failures, 5), 5000));
      if (!stopping) await report("AVAILABLE");
    }
  };
  const done = follow();
  done.catch(() => {});
  // Started = following the Status stream, so the controller counts the exporter online.
  await Promise.race([firstStatus, done, sleep(10_000, undefined, { ref: false })]);

  let closing: Promise<void> | undefined;
  return {
    get currentLease() {
      return active?.name;
    },
    done,
    close() {
      closing ??= (async () => {
        stopping = true;
        statusCall?.cancel();
        await queue;
        await endLease();
        await clients
          .call(
            "Unregister",
            (m, o, cb) => clients.controller.unregister({ reason: "exporter stopped" }, m, o, cb),
            2000,
          )
          .catch(() => {});
        clients.close();
        await done.catch(() => {});
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
