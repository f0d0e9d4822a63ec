/** What every gRPC client of dutkit shares, whichever service it calls (exporter, controller, router). */
import type { ChannelOptions, ServiceError } from "@grpc/grpc-js";
import { CLIENT_RECEIVE_WINDOW } from "./http2-windows.ts";

/** Channel options of the reference client (spec 2.2). */
export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 180_000,
  "grpc.keepalive_permit_without_calls": 1,
  // Why this size, and not more: src/protocol/http2-windows.ts.
  "grpc-node.flow_control_window": CLIENT_RECEIVE_WINDOW,
};

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === "number";
}
