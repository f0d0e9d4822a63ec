/**
 * A static file server on node:http for boards and browsers: GET and HEAD of regular files under
 * a root, single byte ranges (206/416), Content-Length, Content-Type, Last-Modified and ETag, no
 * directory listing. Paths follow the shared sandbox (src/served-files/paths.ts).
 */
import { EventEmitter } from "node:events";
import type { FileHandle } from "node:fs/promises";
import { constants, open, realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { normalizeRelativePath, PathRefusal, resolveExisting } from "../served-files/paths.ts";
import { bindErrorFor } from "./bind-error.ts";
import { contentTypeFor } from "./content-type.ts";
import { HttpServerError } from "./errors.ts";
import { parseRange } from "./range.ts";
import { httpUrl } from "./url.ts";

export interface HttpFileServerOptions {
  /** Directory served. Required. */
  root: string;
  /** Address to listen on; "::" listens on IPv6 and IPv4. Default "0.0.0.0". */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
}

export interface HttpServerAddress {
  host: string;
  port: number;
  family: "IPv4" | "IPv6";
}

/** One answered request. */
export interface HttpRequestEvent {
  method: string;
  /** The request target as sent (path and query). */
  target: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  client: string;
}

export interface HttpFileServerEvents {
  request: [event: HttpRequestEvent];
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class HttpFileServer extends EventEmitter<HttpFileServerEvents> {
  readonly root: string;
  readonly host: string;
  readonly port: number;
  private server: Server | undefined;
  private realRoot = "";

  constructor(options: HttpFileServerOptions) {
    super();
    if (typeof options?.root !== "string" || options.root === "") {
      throw new HttpServerError("ERR_HTTP_INVALID_OPTION", "HTTP server option root is required");
    }
    const port = options.port ?? 8080;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new HttpServerError(
        "ERR_HTTP_INVALID_OPTION",
        `HTTP server option port must be an integer from 0 to 65535, got ${String(options.port)}`,
      );
    }
    this.root = options.root;
    this.host = options.host ?? "0.0.0.0";
    this.port = port;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Starts listening; rejects with a clear HttpServerError when the root or the port is unusable. */
  async start(): Promise<void> {
    if (this.server)
      throw new HttpServerError("ERR_HTTP_ALREADY_STARTED", "The HTTP server is already running");
    try {
      this.realRoot = await realpath(this.root);
      if (!(await stat(this.realRoot)).isDirectory()) throw new Error("not a directory");
    } catch (error) {
      throw new HttpServerError(
        "ERR_HTTP_ROOT_NOT_FOUND",
        `HTTP root ${this.root} is not an existing directory: create it or pass another root`,
        { cause: error },
      );
    }
    const server = createServer((request, response) => {
      void this.answer(request, response);
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error) => reject(bindErrorFor(error, this.host, this.port)));
      server.listen(this.port, this.host, () => resolve());
    });
    server.removeAllListeners("error");
    server.on("error", () => {});
    this.server = server;
  }

  /** Where the server listens. Throws when it is not running. */
  address(): HttpServerAddress {
    const info = this.server?.address() as AddressInfo | null | undefined;
    if (!info) {
      throw new HttpServerError("ERR_HTTP_NOT_RUNNING", "The HTTP server is not running: call start() first");
    }
    return { host: info.address, port: info.port, family: info.family === "IPv6" ? "IPv6" : "IPv4" };
  }

  /** `http://host:port` of the running server (a wildcard host is shown as this host's address). */
  url(): string {
    const { port } = this.address();
    return httpUrl(this.host, port);
  }

  /** Stops listening and closes every connection, also idle keep-alive ones. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "";
    const target = request.url ?? "/";
    let bytes = 0;
    try {
      if (method !== "GET" && method !== "HEAD") {
        throw new HttpFailure(405, `Method ${method} is not allowed: this server answers GET and HEAD`, {
          Allow: "GET, HEAD",
        });
      }
      bytes = await this.serveFile(request, response, method === "HEAD");
    } catch (error) {
      const failure =
        error instanceof HttpFailure
          ? error
          : error instanceof PathRefusal
            ? refusalFailure(error)
            : new HttpFailure(500, "Server error while reading the file");
      if (!response.headersSent) {
        const body = `${failure.status} ${failure.message}\n`;
        response.writeHead(failure.status, {
          ...failure.headers,
          "Content-Type": "text/plain; charset=utf-8",
          "Content-Length": Buffer.byteLength(body),
          "X-Content-Type-Options": "nosniff",
        });
        response.end(method === "HEAD" ? undefined : body);
      } else {
        response.destroy();
      }
    }
    this.emit("request", {
      method,
      target,
      status: response.statusCode,
      bytes,
      client: request.socket.remoteAddress ?? "",
    });
  }

  /** Sends the file the request names; resolves to the body bytes sent. */
  private async serveFile(
    request: IncomingMessage,
    response: ServerResponse,
    head: boolean,
  ): Promise<number> {
    const relative = normalizeRelativePath(decodePath(request.url ?? "/"));
    const path = await resolveExisting(this.realRoot, relative);
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "ENOENT") throw new HttpFailure(404, "Not found");
      if (code === "EACCES") throw new HttpFailure(403, "Forbidden: the file is not readable");
      throw error;
    }
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new HttpFailure(403, "Forbidden: directory listing is disabled");
      if (!info.isFile()) throw new HttpFailure(404, "Not found");
      const size = info.size;
      const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      const lastModified = info.mtime.toUTCString();
      const ifRange = request.headers["if-range"];
      const rangeApplies = ifRange === undefined || ifRange === etag || ifRange === lastModified;
      const range = parseRange(rangeApplies ? request.headers.range : undefined, size);
      const headers: Record<string, string | number> = {
        "Content-Type": contentTypeFor(path),
        "Accept-Ranges": "bytes",
        "Last-Modified": lastModified,
        ETag: etag,
        "X-Content-Type-Options": "nosniff",
      };
      if (range.kind === "unsatisfiable") {
        throw new HttpFailure(416, `Range not satisfiable: the file has ${size} bytes`, {
          "Content-Range": `bytes */${size}`,
        });
      }
      const start = range.kind === "partial" ? range.start : 0;
      const end = range.kind === "partial" ? range.end : size - 1;
      const length = Math.max(0, end - start + 1);
      headers["Content-Length"] = length;
      if (range.kind === "partial") headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
      response.writeHead(range.kind === "partial" ? 206 : 200, headers);
      if (head || length === 0) {
        response.end();
        return 0;
      }
      const stream = handle.createReadStream({ start, end, autoClose: false });
      await pipeline(stream, response);
      return length;
    } finally {
      await handle.close();
    }
  }
}

function decodePath(target: string): string {
  let path = target;
  if (!path.startsWith("/")) {
    try {
      path = new URL(path).pathname;
    } catch {
      throw new HttpFailure(400, "Bad request target");
    }
  }
  path = path.split(/[?#]/, 1)[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    throw new HttpFailure(400, "Bad request: malformed percent-encoding in the path");
  }
}

function refusalFailure(refusal: PathRefusal): HttpFailure {
  if (refusal.kind === "not-found") return new HttpFailure(404, "Not found");
  if (refusal.kind === "invalid") return new HttpFailure(400, `Bad request: ${refusal.message}`);
  return new HttpFailure(403, `Forbidden: ${refusal.message}`);
}
