import { randomBytes } from "node:crypto";
import { Server } from "@grpc/grpc-js";
import { formatSessionAddress, parseSessionAddress } from "../protocol/address.ts";
import { bindServer } from "../protocol/bind-server.ts";
import { ClientServiceService } from "../protocol/gen/jumpstarter/client/v1/client.ts";
import { ControllerServiceService } from "../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import { widenServerWindows } from "../protocol/http2-windows.ts";
import { ROUTER_SERVICE } from "../protocol/stream-frame-codec.ts";
import { Authenticator } from "./auth.ts";
import { clientService } from "./client-service.ts";
import type { ControllerConfig } from "./config.ts";
import { controllerService } from "./controller-service.ts";
import { LeaseBook } from "./lease-book.ts";
import { Router } from "./router.ts";
import { StateFile } from "./state.ts";

export interface RunningController {
  /** Where clients and exporters reach it (`host:port` or a socket path): their `endpoint`. */
  readonly address: string;
  readonly book: LeaseBook;
  /** Stops serving; leases stay in the state file for the next start. Idempotent. */
  close(): Promise<void>;
}

/**
 * A controller for one host: ControllerService, ClientService and RouterService on one gRPC
 * server (the router endpoint is the controller's own address unless `advertise` says otherwise).
 */
export async function startController(config: ControllerConfig): Promise<RunningController> {
  const book = new LeaseBook(config.exporters, new StateFile(config.stateFile));
  const auth = new Authenticator(config.namespace, [...config.clients, ...config.exporters]);
  const secret = randomBytes(32);
  const router = new Router(secret);
  const server = new Server();
  widenServerWindows(server);
  let address = config.listen;
  server.addService(ClientServiceService, clientService(book, auth));
  server.addService(
    ControllerServiceService,
    controllerService({ book, auth, secret, routerEndpoint: () => config.advertise ?? address }),
  );
  server.addService(ROUTER_SERVICE, router.service());
  try {
    const bound = await bindServer(
      server,
      parseSessionAddress(config.listen, { allowPortZero: true }),
      config.tls,
    );
    address = formatSessionAddress(bound);
  } catch (error) {
    book.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    get address() {
      return address;
    },
    book,
    close() {
      closing ??= new Promise<void>((resolve) => {
        book.close();
        router.close();
        // Resolve only once the listener is closed (its socket file gone), so a restart can bind
        // the same path; streams (Status, Listen) are cut after a short grace.
        const force = setTimeout(() => server.forceShutdown(), 500);
        const giveUp = setTimeout(resolve, 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          clearTimeout(giveUp);
          resolve();
        });
      });
      return closing;
    },
  };
}
