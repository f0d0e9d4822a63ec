export { detectHostAddress, httpUrl, isWildcardHost } from "./address.ts";
export { contentTypeFor } from "./content-type.ts";
export { bindErrorFor, HttpServerError } from "./errors.ts";
export {
  isInside,
  normalizeRelativePath,
  PathRefusal,
  type PathRefusalKind,
  resolveExisting,
  resolveForWrite,
} from "./paths.ts";
export { parseRange, type RangeRequest } from "./range.ts";
export {
  HttpFileServer,
  type HttpFileServerEvents,
  type HttpFileServerOptions,
  type HttpRequestEvent,
  type HttpServerAddress,
} from "./server.ts";
