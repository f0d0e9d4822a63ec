import { Driver, type DriverInit, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import { FailedPreconditionError } from "../../core/errors.ts";
import { HttpFileServer, HttpServerError, httpUrl } from "../../http/index.ts";
import { detectHostAddress } from "../../net/host-address.ts";
import { notStartedWithPortZero } from "../server-not-running.ts";
import { releaseServedRoot, type ServedRoot } from "../storage/index.ts";
import type { HttpServerConfig } from "./config.ts";
import type { HttpServerInterface, HttpServerStats } from "./contract.ts";

export interface HttpServerOptions {
  /** The served root (absolute, existing) and whether it is a temporary one, removed on close. */
  served: Pick<ServedRoot, "root" | "temporary">;
  init?: DriverInit;
}

/**
 * Jumpstarter's HTTP server driver: serves `root_dir` read-only at `/` (GET and HEAD, byte
 * ranges, no directory listing), with a `storage` child to put the files there.
 */
export class HttpServer extends Driver implements HttpServerInterface {
  static override readonly clientId = "jumpstarter_driver_http.client.HttpServerClient";
  static override readonly dutkitClientId = "dutkit.HttpServerClient";
  static override readonly methods: MethodTable = {
    start: { kind: "unary", description: "Start the HTTP server (already running: nothing happens)" },
    stop: { kind: "unary", description: "Stop the HTTP server (not running: nothing happens)" },
    get_url: { kind: "unary", description: "http://host:port of the server" },
    get_host: { kind: "unary", description: "The address the server listens on" },
    get_port: { kind: "unary", description: "The TCP port: the bound one while running" },
    stats: { kind: "unary", description: "Request counts since the driver was created" },
  } satisfies MethodTableOf<HttpServerInterface>;

  private readonly server: HttpFileServer;
  private readonly config: HttpServerConfig;
  private readonly host: string;
  private readonly served: Pick<ServedRoot, "root" | "temporary">;
  private readonly counts: HttpServerStats = { requests: 0, byStatus: {}, bytesSent: 0 };

  constructor(config: HttpServerConfig, options: HttpServerOptions) {
    super(options.init);
    this.config = config;
    this.host = config.host === "" ? detectHostAddress() : config.host;
    this.served = options.served;
    this.server = new HttpFileServer({ root: options.served.root, host: this.host, port: config.port });
    this.server.on("request", (event) => {
      this.counts.requests++;
      this.counts.byStatus[event.status] = (this.counts.byStatus[event.status] ?? 0) + 1;
      this.counts.bytesSent += event.bytes;
    });
  }

  async start(): Promise<void> {
    if (this.server.running) return;
    try {
      await this.server.start();
    } catch (error) {
      if (error instanceof HttpServerError) {
        throw new FailedPreconditionError(`start: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** `http://host:port`; before start() the configured port (Jumpstarter answers the same). */
  get_url(): string {
    return httpUrl(this.host, this.get_port());
  }

  get_host(): string {
    return this.host;
  }

  get_port(): number {
    if (this.server.running) return this.server.address().port;
    if (this.config.port === 0) throw notStartedWithPortZero("HTTP", "get_port() and get_url()");
    return this.config.port;
  }

  stats(): HttpServerStats {
    return this.counts;
  }

  override async close(): Promise<void> {
    await this.stop();
    await releaseServedRoot(this.served);
  }
}
