import { Driver, type DriverInit, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import { FailedPreconditionError } from "../../core/errors.ts";
import { detectHostAddress } from "../../net/host-address.ts";
import {
  TftpServer,
  TftpServerError,
  type TftpServerOptions,
  type TftpServerStats,
  type TransferEndEvent,
} from "../../tftp/index.ts";
import { notStartedWithPortZero } from "../server-not-running.ts";
import { releaseServedRoot, type ServedRoot } from "../storage/index.ts";
import type { TftpConfig } from "./config.ts";
import type { TftpInterface, TftpTransferRecord } from "./contract.ts";

/** How many finished transfers `transfers()` remembers. */
const TRANSFER_HISTORY = 256;

export interface TftpOptions {
  /** The served root (absolute, existing) and whether it is a temporary one, removed on close. */
  served: Pick<ServedRoot, "root" | "temporary">;
  init?: DriverInit;
}

function transferRecord(event: TransferEndEvent): TftpTransferRecord {
  const options = event.options as { blksize?: number; windowsize?: number } | undefined;
  return {
    id: event.id,
    kind: event.kind,
    filename: event.filename,
    client: `${event.client.address}:${event.client.port}`,
    outcome: event.outcome,
    bytes: event.bytes,
    blocks: event.blocks,
    retransmits: event.retransmits,
    durationMs: Math.round(event.durationMs * 1000) / 1000,
    blksize: options?.blksize ?? null,
    windowsize: options?.windowsize ?? null,
    native: event.native === true,
    error: event.error ? event.error.message : null,
  };
}

/**
 * Jumpstarter's TFTP server driver: serves `root_dir` over TFTP (read-only unless `write`),
 * with a `storage` child to put the files there. Unlike upstream, `start()` reports a port that
 * cannot be bound, and `get_port()` answers the bound port (so port 0 is usable).
 */
export class Tftp extends Driver implements TftpInterface {
  static override readonly clientId = "jumpstarter_driver_tftp.client.TftpServerClient";
  static override readonly dutkitClientId = "dutkit.TftpServerClient";
  static override readonly methods: MethodTable = {
    start: { kind: "unary", description: "Start the TFTP server (already running: nothing happens)" },
    stop: { kind: "unary", description: "Stop the TFTP server (not running: nothing happens)" },
    get_host: { kind: "unary", description: "The address the server listens on" },
    get_port: { kind: "unary", description: "The UDP port: the bound one while running" },
    stats: { kind: "unary", description: "Transfer totals since the driver was created" },
    transfers: { kind: "unary", description: "The most recent finished transfers, oldest first" },
  } satisfies MethodTableOf<TftpInterface>;

  private readonly server: TftpServer;
  private readonly config: TftpConfig;
  private readonly host: string;
  private readonly served: Pick<ServedRoot, "root" | "temporary">;
  private readonly finished: TftpTransferRecord[] = [];
  private running = false;

  constructor(config: TftpConfig, options: TftpOptions) {
    super(options.init);
    this.config = config;
    this.host = config.host === "" ? detectHostAddress() : config.host;
    this.served = options.served;
    const serverOptions: TftpServerOptions = {
      root: options.served.root,
      host: this.host,
      port: config.port,
      perClientRoot: config.per_client_root,
      write: { enabled: config.write, overwrite: config.overwrite, maxBytes: config.max_upload_bytes },
      blksizeMax: config.blksize_max,
      windowsizeMax: config.windowsize_max,
      maxTransfers: config.max_transfers,
      retries: config.retries,
      timeoutMs: config.timeout_ms,
      nativeReads: config.native_reads,
    };
    this.server = new TftpServer(serverOptions);
    this.server.on("transferEnd", (event) => {
      this.finished.push(transferRecord(event));
      if (this.finished.length > TRANSFER_HISTORY) this.finished.shift();
    });
    this.server.on("warning", () => {});
  }

  async start(): Promise<void> {
    if (this.running) return;
    try {
      await this.server.start();
    } catch (error) {
      if (error instanceof TftpServerError) {
        throw new FailedPreconditionError(`start: ${error.message}`, { cause: error });
      }
      throw error;
    }
    this.running = true;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.server.stop();
  }

  get_host(): string {
    return this.host;
  }

  /** The bound port while running; before start() the configured one, as Jumpstarter answers. */
  get_port(): number {
    if (this.running) return this.server.address().port;
    if (this.config.port === 0) throw notStartedWithPortZero("TFTP", "get_port()");
    return this.config.port;
  }

  stats(): TftpServerStats {
    return this.server.stats();
  }

  transfers(): TftpTransferRecord[] {
    return this.finished;
  }

  /** Stops the server; a temporary root goes with it (the storage child already cleaned up). */
  override async close(): Promise<void> {
    await this.stop();
    await releaseServedRoot(this.served);
  }
}
