import { z } from "zod";
import { DriverClient } from "../../client/client.ts";
import { checkResult } from "../../core/contract.ts";
import type { TftpServerStats as ServerStats } from "../../tftp/index.ts";
import type { StorageClient } from "../storage/index.ts";
import { TftpServerStats, TftpTransferRecord } from "./contract.ts";

/**
 * Client of Jumpstarter's TFTP server driver (`TftpServerClient`): start and stop the server,
 * where it listens, and `storage` to put boot files in its root.
 */
export class TftpServerClient extends DriverClient {
  /** The files the server serves: `await tftp.storage.writeFile("Image", buffer)`. */
  declare readonly storage: StorageClient;

  async start(): Promise<void> {
    await this.call("start");
  }

  async stop(): Promise<void> {
    await this.call("stop");
  }

  async getHost(): Promise<string> {
    return checkResult(z.string(), await this.call("get_host"), this.path, "get_host");
  }

  /** The bound UDP port while running (so a configured port 0 is resolved), else the configured one. */
  async getPort(): Promise<number> {
    return checkResult(z.number(), await this.call("get_port"), this.path, "get_port");
  }

  /** Transfer totals since the driver was created (dutkit only). */
  async stats(): Promise<ServerStats> {
    return checkResult(TftpServerStats, await this.call("stats"), this.path, "stats");
  }

  /** The most recent finished transfers, oldest first (dutkit only). */
  async transfers(): Promise<TftpTransferRecord[]> {
    return checkResult(z.array(TftpTransferRecord), await this.call("transfers"), this.path, "transfers");
  }
}
