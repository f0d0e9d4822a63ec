import { z } from "zod";

/** Request counts since the driver was created. */
export const HttpServerStats = z.object({
  requests: z.number(),
  /** Answers by status code, e.g. {"200": 3, "404": 1}. */
  byStatus: z.record(z.string(), z.number()),
  bytesSent: z.number(),
});
export type HttpServerStats = z.output<typeof HttpServerStats>;

/** The methods of Jumpstarter's HTTP server driver, plus dutkit's `stats`. */
export interface HttpServerInterface {
  start(): Promise<void>;
  stop(): Promise<void>;
  get_url(): string;
  get_host(): string;
  get_port(): number;
  stats(): HttpServerStats;
}
