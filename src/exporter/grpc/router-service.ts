import type { Duplex } from "node:stream";
import { Metadata, type ServerDuplexStream } from "@grpc/grpc-js";
import type { Transport } from "../../core/transport.ts";
import type {
  RouterServiceServer,
  StreamRequest,
  StreamResponse,
} from "../../protocol/gen/jumpstarter/v1/router.ts";
import {
  ACCEPT_ENCODING_METADATA_KEY,
  FrameType,
  goawayFrame,
  parseStreamTarget,
  RESOURCE_METADATA_KEY,
  STREAM_REQUEST_METADATA_KEY,
  writeData,
} from "../../protocol/router-stream.ts";
import type { CallTracker } from "./call-tracker.ts";
import { serviceStatusOf } from "./service-error.ts";

type StreamCall = ServerDuplexStream<StreamRequest, StreamResponse>;

/**
 * Splices one RouterService.Stream call onto a driver's duplex, with backpressure both ways:
 * DATA frames carry bytes, GOAWAY is end of input, PING is ignored, RST_STREAM or a cancelled
 * call destroys the duplex. When the duplex's output ends, GOAWAY is sent and the call ends.
 */
function splice(call: StreamCall, duplex: Duplex, calls: CallTracker, endNeedsGoaway: boolean): void {
  let finished = false;
  /** Ends both sides once; an abort (reset, cancel, server closing) also discards unread input. */
  const finish = (abort: boolean) => {
    if (finished) return;
    finished = true;
    untrack();
    if (!call.writableEnded && !call.cancelled) {
      call.write(goawayFrame());
      call.end();
    }
    if (abort) duplex.destroy();
    else if (!duplex.writableEnded) duplex.end();
  };
  const abort = () => finish(true);
  const untrack = calls.track(abort);

  call.on("data", (frame: StreamRequest) => {
    switch (frame.frameType) {
      case FrameType.FRAME_TYPE_DATA:
        if (finished || duplex.writableEnded) return;
        if (!duplex.write(frame.payload)) {
          call.pause();
          duplex.once("drain", () => call.resume());
        }
        return;
      case FrameType.FRAME_TYPE_GOAWAY:
        if (!duplex.writableEnded) duplex.end();
        return;
      case FrameType.FRAME_TYPE_RST_STREAM:
        abort();
        return;
      default:
        // PING and frame types from newer peers carry nothing for the duplex.
        return;
    }
  });
  // The client half-closed without GOAWAY: still the end of its input for a driver stream. A
  // resource's data ends with GOAWAY only (Jumpstarter's client always sends it): a cancelled
  // upload also ends the call's input, and must not pass for a complete file.
  call.on("end", () => {
    if (duplex.writableEnded) return;
    if (endNeedsGoaway || call.cancelled) abort();
    else duplex.end();
  });
  call.on("cancelled", abort);
  call.on("error", abort);

  duplex.on("data", (chunk: Buffer | string) => {
    if (finished) return;
    if (!writeData(call, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))) {
      duplex.pause();
      call.once("drain", () => duplex.resume());
    }
  });
  duplex.on("end", () => finish(false));
  duplex.on("close", () => finish(false));
  duplex.on("error", (error: Error) => {
    if (finished) return;
    finished = true;
    untrack();
    if (!call.writableEnded && !call.cancelled) call.emit("error", serviceStatusOf(error));
    duplex.destroy();
  });
}

export function routerService(target: Transport, calls: CallTracker): RouterServiceServer {
  return {
    stream(call) {
      void (async () => {
        let duplex: Duplex;
        let resource = false;
        const initial = new Metadata();
        try {
          const [header] = call.metadata.get(STREAM_REQUEST_METADATA_KEY);
          const request = parseStreamTarget(header);
          if (request.kind === "resource") {
            // The handle goes out in the initial metadata; no accepted encoding means no key,
            // which Jumpstarter's client reads as "not accepted" and then decodes locally.
            const opened = await target.resource(request.uuid, request.contentEncoding);
            initial.set(RESOURCE_METADATA_KEY, JSON.stringify(opened.handle));
            if (opened.acceptEncoding !== null)
              initial.set(ACCEPT_ENCODING_METADATA_KEY, opened.acceptEncoding);
            duplex = opened.stream;
            resource = true;
          } else {
            duplex = await target.byteStream(request.uuid, request.method);
          }
        } catch (error) {
          call.emit("error", serviceStatusOf(error));
          return;
        }
        if (call.cancelled) {
          duplex.destroy();
          return;
        }
        call.sendMetadata(initial);
        splice(call, duplex, calls, resource);
      })();
    },
  };
}
