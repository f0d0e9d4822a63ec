import type { Socket } from "node:net";
import { type ClientDuplexStream, status as GrpcCode, Metadata, type ServiceError } from "@grpc/grpc-js";
import type { RouterServiceClient, StreamRequest, StreamResponse } from "./gen/jumpstarter/v1/router.ts";
import { FrameType, goawayFrame, writeData } from "./router-stream.ts";

type RouterCall = ClientDuplexStream<StreamRequest, StreamResponse>;

/** Opens RouterService.Stream on a router with the router token of a Dial or Listen answer (spec 2.4). */
export function openRouterStream(router: RouterServiceClient, token: string): RouterCall {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return router.stream(metadata);
}

/**
 * Copies bytes between a local socket and a router stream, both ways, with backpressure: socket
 * bytes become DATA frames, socket EOF sends GOAWAY and half-closes; incoming DATA is written to
 * the socket, GOAWAY or the end of the call ends it, RST_STREAM or an error destroys it; PING and
 * unknown frames are ignored. `onError` hears why the stream failed (not for a clean end).
 */
export function spliceSocket(
  socket: Socket,
  call: RouterCall,
  onError?: (error: ServiceError) => void,
): void {
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    if (!socket.destroyed) socket.destroy();
    call.cancel();
  };
  socket.on("data", (chunk: Buffer) => {
    if (!writeData(call, chunk)) {
      socket.pause();
      call.once("drain", () => socket.resume());
    }
  });
  socket.on("end", () => {
    if (call.writableEnded) return;
    call.write(goawayFrame());
    call.end();
  });
  socket.on("error", finish);
  socket.on("close", finish);
  call.on("data", (frame: StreamResponse) => {
    switch (frame.frameType) {
      case FrameType.FRAME_TYPE_DATA:
        if (socket.writableEnded) return;
        if (!socket.write(frame.payload)) {
          call.pause();
          socket.once("drain", () => call.resume());
        }
        return;
      case FrameType.FRAME_TYPE_GOAWAY:
        if (!socket.writableEnded) socket.end();
        return;
      case FrameType.FRAME_TYPE_RST_STREAM:
        finish();
        return;
      default:
        return;
    }
  });
  call.on("end", () => {
    if (!socket.writableEnded) socket.end();
  });
  call.on("error", (error: ServiceError) => {
    if (!done && error.code !== GrpcCode.CANCELLED) onError?.(error);
    finish();
  });
}
