export type { ServerTlsOptions } from "../../protocol/bind-server.ts";
export type { EndSessionResult } from "./exporter-service.ts";
export { type ServedSession, type ServeSessionOptions, serveSession } from "./server.ts";
export { SessionStatus } from "./session-status.ts";
