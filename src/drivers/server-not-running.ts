import { FailedPreconditionError } from "../core/errors.ts";

/**
 * Tftp and HttpServer with `port: 0` have no port until start() binds one: asking for it before
 * fails and says so (as Jumpstarter's ServerNotRunning), instead of answering 0.
 */
export function notStartedWithPortZero(server: "TFTP" | "HTTP", calls: string): FailedPreconditionError {
  return new FailedPreconditionError(
    `the ${server} server is not running and its port is 0, which picks a free port when it starts: ` +
      `call start() first, then ${calls}`,
  );
}
