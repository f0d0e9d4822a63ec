/** `dutkit/http`: the static file server for boards and browsers (GET/HEAD, byte ranges). */
export { HttpServerError } from "./errors.ts";
export {
  HttpFileServer,
  type HttpFileServerEvents,
  type HttpFileServerOptions,
  type HttpRequestEvent,
  type HttpServerAddress,
} from "./server.ts";
export { httpUrl } from "./url.ts";
