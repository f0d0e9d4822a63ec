import { rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ownedTempDir } from "../core/owned-temp-dir.ts";
import type { ControllerClients } from "../protocol/controller-client.ts";
import type { DialResponse } from "../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import { openRouterStream, spliceSocket } from "../protocol/router-splice.ts";

export interface Tunnel {
  /** A unix socket path: connect a GrpcTransport (or set JUMPSTARTER_HOST) to it. */
  readonly path: string;
  /** Why the last Dial failed, if it did (a connection through the tunnel then fails too). */
  readonly lastDialError: Error | undefined;
  close(): Promise<void>;
}

/**
 * The client end of the router tunnel (spec 2.4): a unix listener in a private temp dir; every
 * accepted connection gets its own Dial and router stream, and bytes are copied both ways.
 */
export async function openTunnel(clients: ControllerClients, leaseId: string): Promise<Tunnel> {
  const dir = await ownedTempDir("dutkit-tunnel-", process.env.XDG_RUNTIME_DIR || tmpdir());
  const path = join(dir, "socket");
  const sockets = new Set<Socket>();
  let lastDialError: Error | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.pause();
    clients
      .call<DialResponse>("Dial", (m, o, cb) => clients.controller.dial({ leaseName: leaseId }, m, o, cb))
      .then((dial) => {
        if (socket.destroyed) return;
        const call = openRouterStream(clients.router(dial.routerEndpoint), dial.routerToken);
        spliceSocket(socket, call);
        socket.resume();
      })
      .catch((error: Error) => {
        lastDialError = error;
        socket.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    path,
    get lastDialError() {
      return lastDialError;
    },
    close() {
      closing ??= (async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
