export { bindErrorFor } from "./bind-error.ts";
export { contentTypeFor } from "./content-type.ts";
export { HttpServerError } from "./errors.ts";
export { parseRange, type RangeRequest } from "./range.ts";
export {
  HttpFileServer,
  type HttpFileServerEvents,
  type HttpFileServerOptions,
  type HttpRequestEvent,
  type HttpServerAddress,
} from "./server.ts";
export { httpUrl } from "./url.ts";
