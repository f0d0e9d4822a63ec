export { HttpServerClient } from "./client.ts";
export { HttpServerConfig } from "./config.ts";
export type { HttpServerInterface, HttpServerStats } from "./contract.ts";
export { HttpServer, type HttpServerOptions } from "./driver.ts";
