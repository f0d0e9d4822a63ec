import { z } from "zod";
import { servedRootConfigFields } from "../storage/index.ts";

const port = z.number().int().min(0).max(65535);

export const TftpConfig = z
  .strictObject({
    ...servedRootConfigFields,
    host: z
      .string()
      .default("")
      .describe(
        'address to listen on and announce; "" = this host\'s first non-loopback IPv4, else 127.0.0.1',
      ),
    port: port.default(69).describe("UDP port; 0 picks a free one (get_port tells which)"),
    blksize_max: z
      .number()
      .int()
      .min(8)
      .max(65464)
      .optional()
      .describe("largest blksize granted; 1468 for firmware that cannot reassemble IP fragments"),
    windowsize_max: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe("largest windowsize granted (RFC 7440)"),
    per_client_root: z
      .boolean()
      .default(false)
      .describe("look in <root>/<client-ip>/, then <root>/default/, then <root>/"),
    write: z.boolean().default(false).describe("accept TFTP write requests (uploads from the board)"),
    overwrite: z.boolean().default(false).describe("let TFTP uploads replace existing files"),
    max_upload_bytes: z.number().int().min(0).optional().describe("largest TFTP upload accepted"),
    max_transfers: z.number().int().min(1).max(100_000).optional().describe("transfers in progress at once"),
    retries: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe("retransmissions before a transfer is given up"),
    timeout_ms: z
      .number()
      .int()
      .min(1)
      .max(255_000)
      .optional()
      .describe("retransmit timeout until the round trip is measured"),
    native_reads: z
      .boolean()
      .optional()
      .describe("send files from the native read loop (npm run build:native); default: when it is built"),
  })
  .describe("Tftp options");

export type TftpConfig = z.output<typeof TftpConfig>;
