import { type ClientsOf, defineDriver } from "../define.ts";
import { withServedRoot } from "../storage/index.ts";
import { HttpServerClient } from "./client.ts";
import { HttpServerConfig } from "./config.ts";
import { HttpServer } from "./driver.ts";

export { HttpServerClient } from "./client.ts";
export { HttpServerConfig } from "./config.ts";
export type { HttpServerInterface, HttpServerStats } from "./contract.ts";
export { HttpServer, type HttpServerOptions } from "./driver.ts";

export const httpServerDriver = defineDriver({
  type: "HttpServer",
  aliases: ["jumpstarter_driver_http.driver.HttpServer"],
  summary: "An HTTP file server (GET/HEAD, ranges), with a storage child to put files in its root",
  config: HttpServerConfig,
  create: (config, { init, configDir }) =>
    withServedRoot(
      { config, configDir, tempPrefix: "dutkit-http-", description: "Files in the HTTP root" },
      ({ storage, ...served }) =>
        new HttpServer(config, { served, init: { ...init, children: { ...init.children, storage } } }),
    ),
  client: HttpServerClient,
  clients: { [HttpServer.clientId]: HttpServerClient, [HttpServer.dutkitClientId]: HttpServerClient },
});

declare module "../../core/registry.ts" {
  interface DriverClients<Config> extends ClientsOf<typeof httpServerDriver> {}
}
