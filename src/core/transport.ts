import type { Duplex } from "node:stream";
import type { OpenedResource } from "./resource.ts";
import type { JsonValue } from "./value.ts";

/** One entry of GetReport: a driver instance as the exporter describes it (spec 2.8). */
export interface DriverReport {
  uuid: string;
  parentUuid?: string;
  labels: Record<string, string>;
  description?: string;
  methodsDescription: Record<string, string>;
}

export interface ExporterReport {
  uuid: string;
  labels: Record<string, string>;
  reports: DriverReport[];
}

/**
 * How a client reaches an exporter session. The in-process transport calls the session directly;
 * the gRPC transport speaks `jumpstarter.v1` over a socket. Both behave the same: arguments and
 * results are JSON values, and failures are the typed errors of `core/errors.ts`.
 */
export interface Transport {
  report(): Promise<ExporterReport>;
  call(uuid: string, method: string, args: JsonValue[]): Promise<JsonValue>;
  streamingCall(uuid: string, method: string, args: JsonValue[]): AsyncIterable<JsonValue>;
  byteStream(uuid: string, method: string): Promise<Duplex>;
  /**
   * Opens a resource stream to a driver (spec 2.7): a byte pipe whose handle is then passed as
   * an argument of a call such as `file_write(fd, handle)`. `contentEncoding` says how the bytes
   * sent are encoded (null: plain); the answer says whether the exporter takes them so.
   */
  resource(uuid: string, contentEncoding: string | null): Promise<OpenedResource>;
  close(): Promise<void>;
}

/** Labels the exporter adds to every report. */
export const CLIENT_LABEL = "jumpstarter.dev/client";
export const NAME_LABEL = "jumpstarter.dev/name";
/** Our own client class, preferred over the Jumpstarter one when we have it. */
export const DUTKIT_CLIENT_LABEL = "dutkit.dev/client";
/** On the root of a report from dutkit's exporter: tells clients the dutkit-only methods are there. */
export const DUTKIT_EXPORTER_LABEL = "dutkit.dev/exporter";
