/**
 * HTTP/2 flow-control sizes of dutkit's gRPC peers. Byte streams (serial consoles, file
 * uploads, router tunnels) move at most one receive window per round trip, and HTTP/2 starts
 * at 64 KiB; Jumpstarter's grpcio peers grow theirs.
 *
 * The sizes are lopsided on purpose. Two Node HTTP/2 peers that both keep more in flight than
 * a unix socket buffers (about 200 KiB) can stall for good while bytes flow both ways at full
 * speed (a serial loop-through did): each waits to finish a write before it reads again. So
 * servers take large windows (what uploads need) and dutkit's clients a small one, which
 * always fits the socket buffer.
 */

import type { Http2Server, ServerHttp2Session, Settings } from "node:http2";
import type { Server } from "@grpc/grpc-js";

/** The receive window dutkit's gRPC clients open (stream and connection). */
export const CLIENT_RECEIVE_WINDOW = 128 * 1024;
/** The receive window dutkit's gRPC servers open (each stream and the whole connection). */
export const SERVER_RECEIVE_WINDOW = 4 * 1024 * 1024;
/** The largest HTTP/2 frame dutkit's servers accept; the default is 16 KiB. */
export const SERVER_MAX_FRAME_SIZE = 256 * 1024;

/** The parts of grpc-js's Server this reaches into; it has no public option for them (1.14). */
interface ServerInternals {
  commonServerOptions?: { settings?: Settings };
  _setupHandlers?: (http2Server: Http2Server, ...rest: unknown[]) => unknown;
}

/**
 * Gives `server` (before it binds) SERVER_RECEIVE_WINDOW and SERVER_MAX_FRAME_SIZE. Should a
 * grpc-js release move its internals, the server keeps the defaults: slower, never broken
 * (`http2-windows.test.ts` notices).
 */
export function widenServerWindows(server: Server): void {
  const internals = server as unknown as ServerInternals;
  const options = internals.commonServerOptions;
  const setupHandlers = internals._setupHandlers;
  if (typeof options !== "object" || typeof setupHandlers !== "function") return;
  options.settings = {
    ...options.settings,
    initialWindowSize: SERVER_RECEIVE_WINDOW,
    maxFrameSize: SERVER_MAX_FRAME_SIZE,
  };
  internals._setupHandlers = function (this: unknown, http2Server: Http2Server, ...rest: unknown[]) {
    http2Server.on("session", (session: ServerHttp2Session) => {
      session.setLocalWindowSize(SERVER_RECEIVE_WINDOW);
    });
    return setupHandlers.call(this, http2Server, ...rest);
  };
}
