import { Server, type ServerInterceptor } from "@grpc/grpc-js";
import type { Transport } from "../../core/transport.ts";
import { formatSessionAddress, parseSessionAddress } from "../../protocol/address.ts";
import { bindServer, type ServerTlsOptions } from "../../protocol/bind-server.ts";
import { ExporterServiceService } from "../../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import { widenServerWindows } from "../../protocol/http2-windows.ts";
import { ROUTER_SERVICE } from "../../protocol/stream-frame-codec.ts";
import { CallTracker } from "./call-tracker.ts";
import { type EndSessionResult, exporterService } from "./exporter-service.ts";
import { requirePassphrase } from "./passphrase.ts";
import { routerService } from "./router-service.ts";
import { SessionStatus } from "./session-status.ts";

export interface ServeSessionOptions {
  /**
   * Where to listen: a unix socket path (or `unix:<path>`), or `host:port` for TCP; port 0 picks a
   * free port. A stale socket file is replaced; a live one is an error.
   */
  listen: string;
  /** When set, every call must carry it as `x-jumpstarter-passphrase` metadata. */
  passphrase?: string;
  /** Serve TLS instead of plaintext h2c. */
  tls?: ServerTlsOptions;
  /** What GetStatus reports and what gates driver calls; default LEASE_READY (local mode). */
  status?: SessionStatus;
  /** Handles EndSession; default answers success=false "No active lease context" (local mode). */
  endSession?: () => Promise<EndSessionResult>;
  /** Message of the day in GetReport. */
  motd?: string;
  /** How long close() lets unary calls in flight finish before cutting connections. Default 5000. */
  shutdownGraceMs?: number;
}

export interface ServedSession {
  /** The bound address in `JUMPSTARTER_HOST` form: a socket path or `host:port`. */
  address: string;
  /**
   * Ends open streams, lets calls in flight finish (bounded), stops listening and so removes the
   * socket file. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Serves a session (anything implementing `Transport`) as `jumpstarter.v1.ExporterService` plus
 * `jumpstarter.v1.RouterService` for driver byte streams, on one gRPC server (spec 1.1, 2.7).
 */
export async function serveSession(target: Transport, options: ServeSessionOptions): Promise<ServedSession> {
  const interceptors: ServerInterceptor[] = options.passphrase ? [requirePassphrase(options.passphrase)] : [];
  const server = new Server({ interceptors });
  widenServerWindows(server);
  const calls = new CallTracker();
  server.addService(
    ExporterServiceService,
    exporterService({
      target,
      status: options.status ?? new SessionStatus(),
      endSession: options.endSession,
      motd: options.motd ?? "",
      calls,
    }),
  );
  server.addService(ROUTER_SERVICE, routerService(target, calls));

  const bound = await bindServer(
    server,
    parseSessionAddress(options.listen, { allowPortZero: true }),
    options.tls,
  );
  const graceMs = options.shutdownGraceMs ?? 5000;
  let closing: Promise<void> | undefined;

  const shutdown = async () => {
    calls.stopAll();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  };

  return {
    address: formatSessionAddress(bound),
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
}
