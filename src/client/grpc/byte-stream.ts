import { Duplex } from "node:stream";
import { type ClientDuplexStream, status as GrpcCode, Metadata, type ServiceError } from "@grpc/grpc-js";
import { UnavailableError } from "../../core/errors.ts";
import type {
  RouterServiceClient,
  StreamRequest,
  StreamResponse,
} from "../../protocol/gen/jumpstarter/v1/router.ts";
import {
  dataFrame,
  driverStreamRequest,
  FrameType,
  goawayFrame,
  STREAM_REQUEST_METADATA_KEY,
} from "../../protocol/router-stream.ts";

type StreamCall = ClientDuplexStream<StreamRequest, StreamResponse>;

/**
 * A driver byte stream over RouterService.Stream: writes become DATA frames, end() sends GOAWAY
 * and half-closes, incoming DATA is readable, and GOAWAY or the end of the call ends the readable
 * side. Destroying it cancels the call.
 */
class RouterStreamDuplex extends Duplex {
  private readonly call: StreamCall;
  private callDone = false;
  private inputEnded = false;

  constructor(call: StreamCall, failure: (error: ServiceError) => Error) {
    super({ allowHalfOpen: true });
    this.call = call;
    call.on("data", (frame: StreamResponse) => this.onFrame(frame));
    call.on("end", () => this.endInput());
    call.on("status", () => {
      this.callDone = true;
    });
    call.on("error", (error: ServiceError) => {
      this.callDone = true;
      if (error.code === GrpcCode.CANCELLED && this.destroyed) return;
      this.destroy(failure(error));
    });
  }

  private endInput() {
    if (this.inputEnded) return;
    this.inputEnded = true;
    this.push(null);
  }

  private onFrame(frame: StreamResponse) {
    switch (frame.frameType) {
      case FrameType.FRAME_TYPE_DATA:
        if (!this.inputEnded && !this.push(frame.payload)) this.call.pause();
        return;
      case FrameType.FRAME_TYPE_GOAWAY:
        this.endInput();
        return;
      case FrameType.FRAME_TYPE_RST_STREAM:
        this.destroy(new UnavailableError("the exporter reset the byte stream"));
        return;
      default:
        // PING and frame types from newer peers carry no bytes.
        return;
    }
  }

  override _read() {
    this.call.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    if (this.callDone) {
      callback(
        new UnavailableError("the exporter closed the byte stream; nothing more can be written to it"),
      );
      return;
    }
    if (this.call.write(dataFrame(chunk))) callback();
    else this.call.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void) {
    if (!this.callDone) {
      this.call.write(goawayFrame());
      this.call.end();
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    if (!this.callDone) this.call.cancel();
    callback(error);
  }
}

/**
 * Opens a driver byte stream. Resolves once the exporter accepted it (sent initial metadata), so a
 * missing driver or method rejects here, with the typed error of its status.
 */
export function openByteStream(
  client: RouterServiceClient,
  uuid: string,
  method: string,
  failure: (error: ServiceError) => Error,
): Promise<Duplex> {
  const metadata = new Metadata();
  metadata.set(STREAM_REQUEST_METADATA_KEY, driverStreamRequest(uuid, method));
  const call = client.stream(metadata);
  return new Promise((resolve, reject) => {
    const duplex = new RouterStreamDuplex(call, failure);
    // Until the exporter accepts the stream, a failure rejects the promise instead.
    duplex.once("error", reject);
    const open = () => {
      duplex.off("error", reject);
      resolve(duplex);
    };
    call.once("metadata", open);
    call.once("status", (status: { code: number }) => {
      if (status.code === GrpcCode.OK) open();
    });
  });
}
