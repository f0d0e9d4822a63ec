/** Errors of the HTTP file server itself (binding, lifecycle), each with a stable `code`. */
export class HttpServerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = "HttpServerError";
  }
}
