import { status as GrpcCode, type ServerWritableStream, type sendUnaryData } from "@grpc/grpc-js";
import { FailedPreconditionError, InvalidArgumentError } from "../../core/errors.ts";
import type { Transport } from "../../core/transport.ts";
import type { JsonValue } from "../../core/value.ts";
import type {
  DriverCallRequest,
  ExporterServiceServer,
  GetReportResponse,
  StreamingDriverCallRequest,
} from "../../protocol/gen/jumpstarter/v1/jumpstarter.ts";
import { exporterStatusToWire } from "../../protocol/status.ts";
import type { CallTracker } from "./call-tracker.ts";
import { serviceStatusOf } from "./service-error.ts";
import type { SessionStatus } from "./session-status.ts";

export interface EndSessionResult {
  success: boolean;
  message?: string;
}

export interface ExporterServiceContext {
  target: Transport;
  status: SessionStatus;
  /** Asks the exporter to end the lease; without it the session is local and has no lease. */
  endSession?: (() => Promise<EndSessionResult>) | undefined;
  motd: string;
  calls: CallTracker;
}

const NO_LEASE: EndSessionResult = { success: false, message: "No active lease context" };

/** Resolves a unary call from a promise, turning a rejection into its gRPC status. */
function reply<T>(callback: sendUnaryData<T>, work: () => Promise<T>): void {
  work().then(
    (response) => callback(null, response),
    (error: unknown) => callback(serviceStatusOf(error)),
  );
}

/**
 * A DriverCall request as the target takes it; a request without uuid or method is
 * INVALID_ARGUMENT. The target (the session) checks the arguments and the results itself.
 */
function checkCallRequest(request: DriverCallRequest | StreamingDriverCallRequest, rpc: string) {
  if (request.uuid === "") {
    throw new InvalidArgumentError(`${rpc} has no driver uuid (field 1); send the uuid from GetReport`);
  }
  if (request.method === "") {
    throw new InvalidArgumentError(`${rpc} has no method name (field 2); send the driver method to call`);
  }
  return { uuid: request.uuid, method: request.method, args: request.args as JsonValue[] };
}

/** Resolves when the call can take more messages, or has ended. */
function writable(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("close", done);
      resolve();
    };
    call.on("drain", done);
    call.on("close", done);
  });
}

export function exporterService(context: ExporterServiceContext): ExporterServiceServer {
  const { target, status, calls } = context;

  const requireReady = () => {
    if (!status.acceptsDriverCalls) {
      throw new FailedPreconditionError(
        `Exporter not ready for driver calls (status: ${status.current.status}); wait for LEASE_READY`,
      );
    }
  };

  return {
    getReport(_call, callback) {
      reply(callback, async (): Promise<GetReportResponse> => {
        const report = await target.report();
        return {
          uuid: report.uuid,
          labels: report.labels,
          reports: report.reports.map((entry) => ({
            uuid: entry.uuid,
            parentUuid: entry.parentUuid,
            labels: entry.labels,
            description: entry.description,
            methodsDescription: entry.methodsDescription,
          })),
          alternativeEndpoints: [],
          motd: context.motd,
        };
      });
    },

    driverCall(call, callback) {
      reply(callback, async () => {
        const { uuid, method, args } = checkCallRequest(call.request, "DriverCall");
        requireReady();
        const result = await target.call(uuid, method, args);
        return { uuid, result };
      });
    },

    streamingDriverCall(call) {
      const untrack = calls.track(() => {
        call.emit("error", { code: GrpcCode.UNAVAILABLE, details: "the exporter session is closing" });
      });
      call.on("close", untrack);
      void (async () => {
        try {
          const { uuid, method, args } = checkCallRequest(call.request, "StreamingDriverCall");
          requireReady();
          // Leaving the loop early runs the target's cleanup (its generator's `finally`).
          for await (const item of target.streamingCall(uuid, method, args)) {
            if (call.cancelled || call.writableEnded) break;
            if (!call.write({ uuid, result: item })) await writable(call);
            if (call.cancelled || call.writableEnded) break;
          }
          if (!call.cancelled && !call.writableEnded) call.end();
        } catch (error) {
          if (!call.cancelled && !call.writableEnded) call.emit("error", serviceStatusOf(error));
        }
      })();
    },

    // Nothing is logged through the protocol yet; the stream stays open until the client cancels
    // it or the server closes, as the reference client expects.
    logStream(call) {
      const untrack = calls.track(() => call.end());
      call.on("close", untrack);
    },

    reset(_call, callback) {
      callback({ code: GrpcCode.UNIMPLEMENTED, details: "Reset is not implemented by this exporter" });
    },

    getStatus(_call, callback) {
      const current = status.current;
      callback(null, {
        status: exporterStatusToWire(current.status),
        message: current.message,
        statusVersion: current.version,
        previousStatus: current.previous === undefined ? undefined : exporterStatusToWire(current.previous),
      });
    },

    endSession(_call, callback) {
      reply(callback, async () => (context.endSession ? context.endSession() : NO_LEASE));
    },
  };
}
