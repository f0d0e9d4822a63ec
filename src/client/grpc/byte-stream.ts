import { Duplex } from "node:stream";
import { type ClientDuplexStream, status as GrpcCode, Metadata, type ServiceError } from "@grpc/grpc-js";
import { UnavailableError } from "../../core/errors.ts";
import type { OpenedResource } from "../../core/resource.ts";
import type {
  RouterServiceClient,
  StreamRequest,
  StreamResponse,
} from "../../protocol/gen/jumpstarter/v1/router.ts";
import {
  ACCEPT_ENCODING_METADATA_KEY,
  driverStreamRequest,
  FrameType,
  goawayFrame,
  parseResourceHandle,
  RESOURCE_METADATA_KEY,
  STREAM_REQUEST_METADATA_KEY,
  writeData,
} from "../../protocol/router-stream.ts";

type StreamCall = ClientDuplexStream<StreamRequest, StreamResponse>;

const closedForWriting = () =>
  new UnavailableError("the exporter closed the byte stream; nothing more can be written to it");

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
      callback(closedForWriting());
      return;
    }
    if (writeData(this.call, chunk)) {
      callback();
      return;
    }
    // The call may end before it drains (the exporter ended it): then the write fails.
    const settle = () => {
      this.call.off("drain", settle);
      this.call.off("status", settle);
      this.call.off("close", settle);
      callback(this.callDone ? closedForWriting() : null);
    };
    this.call.on("drain", settle);
    this.call.on("status", settle);
    this.call.on("close", settle);
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
 * Opens a RouterService.Stream with the given `request` metadata. Resolves once the exporter
 * accepted it (sent initial metadata), so a missing driver or method rejects here, with the
 * typed error of its status.
 */
function openRouterStream(
  client: RouterServiceClient,
  request: string,
  failure: (error: ServiceError) => Error,
): Promise<{ duplex: Duplex; metadata: Metadata }> {
  const metadata = new Metadata();
  metadata.set(STREAM_REQUEST_METADATA_KEY, request);
  const call = client.stream(metadata);
  return new Promise((resolve, reject) => {
    const duplex = new RouterStreamDuplex(call, failure);
    // Until the exporter accepts the stream, a failure rejects the promise instead.
    duplex.once("error", reject);
    const open = (initial: Metadata) => {
      duplex.off("error", reject);
      resolve({ duplex, metadata: initial });
    };
    call.once("metadata", open);
    call.once("status", (status: { code: number }) => {
      if (status.code === GrpcCode.OK) open(new Metadata());
    });
  });
}

/** Opens a driver byte stream (`{"kind":"driver"}`). */
export async function openByteStream(
  client: RouterServiceClient,
  uuid: string,
  method: string,
  failure: (error: ServiceError) => Error,
): Promise<Duplex> {
  return (await openRouterStream(client, driverStreamRequest(uuid, method), failure)).duplex;
}

/**
 * Opens a resource stream (`{"kind":"resource"}`, spec 2.7): the exporter's initial metadata
 * carries the handle under `resource` and, when it takes the encoding as sent,
 * `x_jmp_accept_encoding`.
 */
export async function openResourceStream(
  client: RouterServiceClient,
  uuid: string,
  contentEncoding: string | null,
  failure: (error: ServiceError) => Error,
): Promise<OpenedResource> {
  const request = JSON.stringify({ kind: "resource", uuid, x_jmp_content_encoding: contentEncoding });
  const { duplex, metadata } = await openRouterStream(client, request, failure);
  const [resource] = metadata.get(RESOURCE_METADATA_KEY);
  const [accept] = metadata.get(ACCEPT_ENCODING_METADATA_KEY);
  try {
    return {
      handle: parseResourceHandle(resource),
      stream: duplex,
      acceptEncoding: accept === undefined || accept.toString() === "" ? null : accept.toString(),
    };
  } catch (error) {
    duplex.destroy();
    throw error;
  }
}
