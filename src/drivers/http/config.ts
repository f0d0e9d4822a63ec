import { z } from "zod";
import { servedRootConfigFields } from "../storage/index.ts";

export const HttpServerConfig = z
  .strictObject({
    ...servedRootConfigFields,
    host: z
      .string()
      .default("")
      .describe(
        'address to listen on and put in URLs; "" = this host\'s first non-loopback IPv4, else 127.0.0.1',
      ),
    port: z.number().int().min(0).max(65535).default(8080).describe("TCP port; 0 picks a free one"),
    timeout: z.number().positive().default(600).describe("accepted for Jumpstarter configs; unused"),
  })
  .describe("HttpServer options");

export type HttpServerConfig = z.output<typeof HttpServerConfig>;
