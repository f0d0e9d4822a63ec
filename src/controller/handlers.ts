import type { ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import { toServiceError } from "./errors.ts";

/** Adapts an async handler to grpc-js: thrown ControllerCallErrors become their status. */
export function unary<Req, Res>(handler: (call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    Promise.resolve()
      .then(() => handler(call))
      .then(
        (response) => callback(null, response),
        (error) => callback(toServiceError(error)),
      );
  };
}
