/** Messages between the server's thread and a transfer worker (worker-pool.ts, transfer-worker.ts). */
import type { SocketType } from "node:dgram";
import type { ResolvedServerOptions, TftpClient } from "./config.ts";
import type { TftpErrorCode, TftpServerError } from "./errors.ts";
import type { NegotiatedOptions } from "./options.ts";
import type { TftpRequest } from "./packet.ts";
import type { TransferSummary } from "./transfer.ts";

/** What a worker is started with (its workerData). */
export interface WorkerSetup {
  /** The server's options without the `onRead` hook, which stays in the server's thread. */
  config: Omit<ResolvedServerOptions, "onRead">;
  realRoot: string;
  socketType: SocketType;
}

export type ToWorker =
  | { type: "run"; id: number; request: TftpRequest; client: TftpClient }
  | { type: "cancel"; id: number; reason: string; tellClient: boolean }
  | { type: "settle"; id: number; seq: number }
  | { type: "stop" };

export type FromWorker =
  | { type: "ready" }
  | { type: "prepared"; id: number; options: NegotiatedOptions }
  | { type: "ended"; id: number; summary: TransferSummary }
  | { type: "settled"; seq: number }
  | { type: "refuse"; client: TftpClient; code: TftpErrorCode; message: string }
  | { type: "stranger" }
  | { type: "warn"; code: TftpServerError["code"]; message: string; cause: string }
  | { type: "stopped" };
