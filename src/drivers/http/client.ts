import { DriverClient, registerClient } from "../../client/client.ts";
import type { StorageClient, UploadSource } from "../storage/index.ts";
import type { HttpServerStats } from "./driver.ts";

/**
 * Client of Jumpstarter's HTTP server driver (`HttpServerClient`): start and stop the server,
 * its URL, and `storage` / `putFile` to put files in its root.
 */
export class HttpServerClient extends DriverClient {
  /** The files the server serves. */
  declare readonly storage: StorageClient;

  async start(): Promise<void> {
    await this.call("start");
  }

  async stop(): Promise<void> {
    await this.call("stop");
  }

  /** `http://host:port` (the bound port while running). */
  async getUrl(): Promise<string> {
    return (await this.call("get_url")) as string;
  }

  async getHost(): Promise<string> {
    return (await this.call("get_host")) as string;
  }

  async getPort(): Promise<number> {
    return (await this.call("get_port")) as number;
  }

  /**
   * Puts bytes or a local file (a path string) at `target` under the root and answers its URL,
   * as Jumpstarter's `put_file(dst, src)` does.
   */
  async putFile(target: string, source: UploadSource): Promise<string> {
    await this.storage.writeFile(target, source);
    return this.urlOf(target);
  }

  /** The URL of `path` under the root, each segment percent-encoded. */
  async urlOf(path: string): Promise<string> {
    const segments = path.split(/[\\/]/).filter((segment) => segment !== "" && segment !== ".");
    return `${await this.getUrl()}/${segments.map(encodeURIComponent).join("/")}`;
  }

  /** Request counts since the driver was created (dutkit only). */
  async stats(): Promise<HttpServerStats> {
    return (await this.call("stats")) as unknown as HttpServerStats;
  }
}

registerClient("jumpstarter_driver_http.client.HttpServerClient", HttpServerClient);
registerClient("dutkit.HttpServerClient", HttpServerClient);
