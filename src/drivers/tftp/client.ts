import { DriverClient, registerClient } from "../../client/client.ts";
import type { TftpServerStats } from "../../tftp/index.ts";
import type { StorageClient } from "../storage/index.ts";
import type { TftpTransferRecord } from "./driver.ts";

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
    return (await this.call("get_host")) as string;
  }

  /** The bound UDP port while running (so a configured port 0 is resolved), else the configured one. */
  async getPort(): Promise<number> {
    return (await this.call("get_port")) as number;
  }

  /** Transfer totals since the driver was created (dutkit only). */
  async stats(): Promise<TftpServerStats> {
    return (await this.call("stats")) as unknown as TftpServerStats;
  }

  /** The most recent finished transfers, oldest first (dutkit only). */
  async transfers(): Promise<TftpTransferRecord[]> {
    return (await this.call("transfers")) as unknown as TftpTransferRecord[];
  }
}

registerClient("jumpstarter_driver_tftp.client.TftpServerClient", TftpServerClient);
registerClient("dutkit.TftpServerClient", TftpServerClient);
