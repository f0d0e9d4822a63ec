/**
 * The one base of every error with a stable `code`: DutkitError and the servers' own errors
 * (TftpServerError, HttpServerError, TftpRefusal, PathRefusal, ControllerCallError). It imports
 * nothing, so the TFTP and HTTP servers can use it without taking in the driver layer.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
