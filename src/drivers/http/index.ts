export { HttpServerClient } from "./client.ts";
export { HttpServerConfig } from "./config.ts";
export { HttpServer, type HttpServerOptions, type HttpServerStats } from "./driver.ts";
