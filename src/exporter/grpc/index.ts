export type { EndSessionResult } from "./exporter-service.ts";
export type { ServerTlsOptions } from "./listen.ts";
export { type ServedSession, type ServeSessionOptions, serveSession } from "./server.ts";
export { SessionStatusBoard } from "./status-board.ts";
