import { InvalidArgumentError, UnavailableError } from "../core/errors.ts";
import type { ClientStreamHandle } from "../core/resource.ts";
import { FrameType, type StreamRequest, type StreamResponse } from "./gen/jumpstarter/v1/router.ts";

/** Request metadata naming what a RouterService.Stream call on an exporter opens (spec 2.7). */
export const STREAM_REQUEST_METADATA_KEY = "request";
/** Initial metadata of a resource stream: the handle, as compact JSON (spec 2.7). */
export const RESOURCE_METADATA_KEY = "resource";
/** Initial metadata of a resource stream: the content encoding the exporter takes as sent. */
export const ACCEPT_ENCODING_METADATA_KEY = "x_jmp_accept_encoding";
/** Metadata a standalone exporter may require on every RPC (spec 2.1). */
export const PASSPHRASE_METADATA_KEY = "x-jumpstarter-passphrase";

export type StreamTarget =
  | { kind: "driver"; uuid: string; method: string }
  | { kind: "resource"; uuid: string; contentEncoding: string | null };

/** The `request` metadata value for a driver byte stream: compact JSON, keys in the reference order. */
export function driverStreamRequest(uuid: string, method: string): string {
  return JSON.stringify({ kind: "driver", uuid, method });
}

const usage = 'expected compact JSON like {"kind":"driver","uuid":"<driver uuid>","method":"connect"}';

/** Reads the `request` metadata of a RouterService.Stream call; malformed values are INVALID_ARGUMENT. */
export function parseStreamTarget(value: string | Buffer | undefined): StreamTarget {
  if (value === undefined) {
    throw new InvalidArgumentError(
      `RouterService.Stream needs "${STREAM_REQUEST_METADATA_KEY}" metadata; ${usage}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    throw new InvalidArgumentError(`the "${STREAM_REQUEST_METADATA_KEY}" metadata is not JSON; ${usage}`);
  }
  const fields = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const { kind, uuid, method } = fields;
  if (typeof uuid !== "string" || uuid === "") {
    throw new InvalidArgumentError(
      `the "${STREAM_REQUEST_METADATA_KEY}" metadata has no driver uuid; ${usage}`,
    );
  }
  if (kind === "driver") {
    if (typeof method !== "string" || method === "") {
      throw new InvalidArgumentError(`the "${STREAM_REQUEST_METADATA_KEY}" metadata has no method; ${usage}`);
    }
    return { kind, uuid, method };
  }
  if (kind === "resource") {
    const encoding = fields.x_jmp_content_encoding;
    return { kind, uuid, contentEncoding: typeof encoding === "string" ? encoding : null };
  }
  throw new InvalidArgumentError(
    `the "${STREAM_REQUEST_METADATA_KEY}" metadata has kind ${JSON.stringify(kind)}; use "driver" or "resource"`,
  );
}

/** The handle in a resource stream's initial metadata; a missing or malformed one is UNAVAILABLE. */
export function parseResourceHandle(value: string | Buffer | undefined): ClientStreamHandle {
  const shape = 'expected {"kind":"client_stream","uuid":"<resource uuid>","x_jmp_content_encoding":null}';
  if (value === undefined) {
    throw new UnavailableError(
      `the exporter opened the resource stream without "${RESOURCE_METADATA_KEY}" metadata; ${shape}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    throw new UnavailableError(`the exporter's "${RESOURCE_METADATA_KEY}" metadata is not JSON; ${shape}`);
  }
  const fields = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (fields.kind !== "client_stream" || typeof fields.uuid !== "string") {
    throw new UnavailableError(
      `the exporter's "${RESOURCE_METADATA_KEY}" metadata is ${value.toString()}; ${shape}`,
    );
  }
  const encoding = fields.x_jmp_content_encoding;
  return {
    kind: "client_stream",
    uuid: fields.uuid,
    x_jmp_content_encoding: typeof encoding === "string" ? encoding : null,
  };
}

const empty = Buffer.alloc(0);

export function dataFrame(payload: Buffer): StreamRequest & StreamResponse {
  return { payload, frameType: FrameType.FRAME_TYPE_DATA };
}

/**
 * The largest payload of one DATA frame. gRPC peers refuse messages over 4 MiB by default
 * (Jumpstarter's Python exporter and client among them, which then end the stream early), so a
 * larger write goes out as several frames.
 */
export const MAX_FRAME_PAYLOAD = 256 * 1024;

/** Writes `payload` as DATA frames of at most MAX_FRAME_PAYLOAD; returns the last write's backpressure answer. */
export function writeData(
  call: { write(frame: StreamRequest & StreamResponse): boolean },
  payload: Buffer,
): boolean {
  if (payload.length <= MAX_FRAME_PAYLOAD) return call.write(dataFrame(payload));
  let more = true;
  for (let at = 0; at < payload.length; at += MAX_FRAME_PAYLOAD) {
    more = call.write(dataFrame(payload.subarray(at, at + MAX_FRAME_PAYLOAD)));
  }
  return more;
}

/** End of input from the sender; the other direction stays open. */
export function goawayFrame(): StreamRequest & StreamResponse {
  return { payload: empty, frameType: FrameType.FRAME_TYPE_GOAWAY };
}

export { FrameType };
