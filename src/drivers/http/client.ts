import { z } from "zod";
import { DriverClient } from "../../client/client.ts";
import { checkResult } from "../../core/contract.ts";
import type { StorageClient, UploadSource } from "../storage/index.ts";
import { HttpServerStats } from "./contract.ts";

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
    return checkResult(z.string(), await this.call("get_url"), this.path, "get_url");
  }

  async getHost(): Promise<string> {
    return checkResult(z.string(), await this.call("get_host"), this.path, "get_host");
  }

  async getPort(): Promise<number> {
    return checkResult(z.number(), await this.call("get_port"), this.path, "get_port");
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
    return checkResult(HttpServerStats, await this.call("stats"), this.path, "stats");
  }
}
