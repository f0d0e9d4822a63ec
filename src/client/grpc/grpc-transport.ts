import type { Duplex } from "node:stream";
import { type ClientOptions, Metadata, type ServiceError } from "@grpc/grpc-js";
import type { OpenedResource } from "../../core/resource.ts";
import type { DriverReport, ExporterReport, Transport } from "../../core/transport.ts";
import type { JsonValue } from "../../core/value.ts";
import {
  formatSessionAddress,
  grpcTarget,
  parseSessionAddress,
  type SessionAddress,
} from "../../protocol/address.ts";
import {
  type DriverCallResponse,
  type EndSessionResponse,
  ExporterServiceClient,
  type GetReportResponse,
  type GetStatusResponse,
} from "../../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import type { RouterServiceClient } from "../../protocol/gen/jumpstarter/v1/router.ts";
import { exporterStatusFromWire, type StatusSnapshot } from "../../protocol/status.ts";
import { RouterStreamClient } from "../../protocol/stream-frame-codec.ts";
import { openByteStream, openResourceStream } from "./byte-stream.ts";
import {
  type ClientTlsOptions,
  channelCredentials,
  DEFAULT_CHANNEL_OPTIONS,
  passphraseInterceptor,
  waitUntilConnected,
} from "./channel.ts";
import { errorFromServiceError, isServiceError } from "./errors.ts";

export interface GrpcConnectOptions {
  /** Sent as `x-jumpstarter-passphrase` on every call. */
  passphrase?: string;
  /** TLS instead of plaintext h2c. */
  tls?: ClientTlsOptions;
  /** How long connecting may take before it fails. Default 10000. Calls themselves have no deadline. */
  timeoutMs?: number;
}

type UnaryCallback<T> = (error: ServiceError | null, response: T) => void;

/**
 * A `Transport` speaking `jumpstarter.v1` to an exporter session over gRPC (a unix socket or TCP).
 * Failures are the same typed errors an in-process session throws. Arguments are not checked
 * here: `DriverClient` checks them before, and the exporter's session again on its side.
 */
export class GrpcTransport implements Transport {
  /** The exporter address in `JUMPSTARTER_HOST` form. */
  readonly address: string;
  private readonly exporter: ExporterServiceClient;
  private readonly router: RouterServiceClient;

  private constructor(address: string, exporter: ExporterServiceClient, router: RouterServiceClient) {
    this.address = address;
    this.exporter = exporter;
    this.router = router;
  }

  /**
   * Connects to an exporter session. `host` follows the JUMPSTARTER_HOST rule (spec 2.10): `host:port`
   * with a port 1–65535 is TCP, anything else a unix socket path. Rejects with
   * ExporterUnreachableError when nothing answers there.
   */
  static async connect(host: string, options: GrpcConnectOptions = {}): Promise<GrpcTransport> {
    const address: SessionAddress = parseSessionAddress(host);
    const display = formatSessionAddress(address);
    const clientOptions: Partial<ClientOptions> = {
      ...DEFAULT_CHANNEL_OPTIONS,
      interceptors: options.passphrase === undefined ? [] : [passphraseInterceptor(options.passphrase)],
    };
    const exporter = new ExporterServiceClient(
      grpcTarget(address),
      channelCredentials(options.tls),
      clientOptions,
    );
    const router = new RouterStreamClient(grpcTarget(address), channelCredentials(options.tls), {
      ...clientOptions,
      channelOverride: exporter.getChannel(),
    });
    try {
      await waitUntilConnected(exporter, address, display, options.timeoutMs ?? 10_000);
    } catch (error) {
      exporter.close();
      throw error;
    }
    return new GrpcTransport(display, exporter, router);
  }

  async report(): Promise<ExporterReport> {
    const response = await this.unary<GetReportResponse>((callback) =>
      this.exporter.getReport({}, new Metadata(), callback),
    );
    return {
      uuid: response.uuid,
      labels: response.labels,
      reports: response.reports.map(
        (entry): DriverReport => ({
          uuid: entry.uuid,
          ...(entry.parentUuid !== undefined ? { parentUuid: entry.parentUuid } : {}),
          labels: entry.labels,
          ...(entry.description !== undefined ? { description: entry.description } : {}),
          methodsDescription: entry.methodsDescription,
        }),
      ),
    };
  }

  async call(uuid: string, method: string, args: JsonValue[]): Promise<JsonValue> {
    const response = await this.unary<DriverCallResponse>((callback) =>
      this.exporter.driverCall({ uuid, method, args }, new Metadata(), callback),
    );
    return (response.result ?? null) as JsonValue;
  }

  async *streamingCall(uuid: string, method: string, args: JsonValue[]): AsyncGenerator<JsonValue> {
    const call = this.exporter.streamingDriverCall({ uuid, method, args }, new Metadata());
    try {
      for await (const response of call) {
        yield ((response as { result?: JsonValue }).result ?? null) as JsonValue;
      }
    } catch (error) {
      throw isServiceError(error) ? errorFromServiceError(error, this.address) : error;
    } finally {
      // Stopping early cancels the call, so the exporter stops iterating; the CANCELLED status that
      // cancelling produces is ours and not an error.
      call.on("error", () => {});
      call.cancel();
    }
  }

  byteStream(uuid: string, method: string): Promise<Duplex> {
    return openByteStream(this.router, uuid, method, (error) => errorFromServiceError(error, this.address));
  }

  resource(uuid: string, contentEncoding: string | null): Promise<OpenedResource> {
    return openResourceStream(this.router, uuid, contentEncoding, (error) =>
      errorFromServiceError(error, this.address),
    );
  }

  /** GetStatus: the exporter's status and how often it changed (spec 2.9). */
  async status(): Promise<StatusSnapshot> {
    const response = await this.unary<GetStatusResponse>((callback) =>
      this.exporter.getStatus({}, new Metadata(), callback),
    );
    return {
      status: exporterStatusFromWire(response.status),
      version: response.statusVersion,
      ...(response.message !== undefined ? { message: response.message } : {}),
      ...(response.previousStatus !== undefined
        ? { previous: exporterStatusFromWire(response.previousStatus) }
        : {}),
    };
  }

  /** EndSession: asks the exporter to end the lease; a local exporter answers success=false. */
  async endSession(): Promise<{ success: boolean; message?: string }> {
    const response = await this.unary<EndSessionResponse>((callback) =>
      this.exporter.endSession({}, new Metadata(), callback),
    );
    return {
      success: response.success,
      ...(response.message !== undefined ? { message: response.message } : {}),
    };
  }

  async close(): Promise<void> {
    this.router.close();
    this.exporter.close();
  }

  private unary<T>(start: (callback: UnaryCallback<T>) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      start((error, response) => {
        if (error) reject(errorFromServiceError(error, this.address));
        else resolve(response);
      });
    });
  }
}
