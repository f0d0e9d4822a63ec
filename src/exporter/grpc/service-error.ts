import { status as GrpcCode } from "@grpc/grpc-js";
import { DriverError, messageOf } from "../../core/errors.ts";

export interface ServiceStatus {
  code: number;
  details: string;
}

/**
 * The gRPC status for an error thrown while serving a call: a typed driver error keeps its status,
 * anything else is UNKNOWN. The message travels as the status details.
 */
export function serviceStatusOf(error: unknown): ServiceStatus {
  if (error instanceof DriverError) return { code: error.grpcCode, details: error.message };
  return { code: GrpcCode.UNKNOWN, details: messageOf(error) };
}
