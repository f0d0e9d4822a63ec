import { z } from "zod";

export const HttpServerConfig = z
  .strictObject({
    root_dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        "directory served (created if missing; relative to the config file); default: a fresh temporary directory, removed on close",
      ),
    host: z
      .string()
      .default("")
      .describe(
        'address to listen on and put in URLs; "" = this host\'s first non-loopback IPv4, else 127.0.0.1',
      ),
    port: z.number().int().min(0).max(65535).default(8080).describe("TCP port; 0 picks a free one"),
    timeout: z.number().positive().default(600).describe("accepted for Jumpstarter configs; unused"),
    remove_created_on_close: z
      .boolean()
      .default(true)
      .describe("delete the files written through `storage` when the driver closes"),
  })
  .describe("HttpServer options");

export type HttpServerConfig = z.output<typeof HttpServerConfig>;
