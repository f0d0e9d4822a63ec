import { status as GrpcCode, Metadata, type ServiceError } from "@grpc/grpc-js";
import { CodedError } from "../core/coded-error.ts";

/** A failed controller call: a gRPC status and a message that names the problem and the fix. */
export class ControllerCallError extends CodedError<"ERR_DUTKIT_CONTROLLER_REFUSED"> {
  readonly grpcCode: GrpcCode;
  constructor(grpcCode: GrpcCode, message: string) {
    super("ERR_DUTKIT_CONTROLLER_REFUSED", message);
    this.grpcCode = grpcCode;
  }
}

export const callError = {
  invalid: (m: string) => new ControllerCallError(GrpcCode.INVALID_ARGUMENT, m),
  notFound: (m: string) => new ControllerCallError(GrpcCode.NOT_FOUND, m),
  denied: (m: string) => new ControllerCallError(GrpcCode.PERMISSION_DENIED, m),
  unauthenticated: (m: string) => new ControllerCallError(GrpcCode.UNAUTHENTICATED, m),
  precondition: (m: string) => new ControllerCallError(GrpcCode.FAILED_PRECONDITION, m),
  unavailable: (m: string) => new ControllerCallError(GrpcCode.UNAVAILABLE, m),
  unimplemented: (m: string) => new ControllerCallError(GrpcCode.UNIMPLEMENTED, m),
};

/** The status a handler sends for whatever it threw. */
export function toServiceError(error: unknown): Partial<ServiceError> {
  if (error instanceof ControllerCallError) {
    return { code: error.grpcCode, details: error.message, metadata: new Metadata() };
  }
  return {
    code: GrpcCode.INTERNAL,
    details: `controller error: ${error instanceof Error ? error.message : String(error)}`,
    metadata: new Metadata(),
  };
}
