import { z } from "zod";

export const SerialConfig = z
  .strictObject({
    url: z
      .string()
      .min(1, "url must name the port: a device path, socket://host:port, rfc2217://host:port or loop://")
      .superRefine((url, ctx) => {
        try {
          parseSerialUrl(url);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      })
      .describe("a device path (/dev/ttyUSB0, a pty), socket://host:port, rfc2217://host:port or loop://"),
    baudrate: z.number().int().positive().default(115200).describe("line speed, bits per second"),
    check_present: z
      .boolean()
      .default(true)
      .describe("open the port once at start, so a missing device fails early (not for loop://)"),
    cps: z
      .number()
      .min(0)
      .nullable()
      .default(null)
      .describe("write pacing in characters per second, one at a time; null or 0: no pacing"),
    disable_hupcl: z.boolean().default(false).describe("keep DTR up when the port closes (clear HUPCL)"),
  })
  .describe("PySerial options");

export type SerialConfig = z.output<typeof SerialConfig>;

/** Where a serial URL leads. */
export type SerialTarget =
  | { kind: "device"; path: string }
  | { kind: "socket"; host: string; port: number }
  | { kind: "rfc2217"; host: string; port: number }
  | { kind: "loop" };

const SUPPORTED = "a device path (/dev/ttyUSB0), socket://host:port, rfc2217://host:port or loop://";

/** Parses a pyserial-style URL; anything without a scheme is a device path. */
export function parseSerialUrl(url: string): SerialTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (!url.startsWith("/")) {
      throw new TypeError(`serial url "${url}" is not an absolute device path; use ${SUPPORTED}`);
    }
    return { kind: "device", path: url };
  }
  if (scheme === "loop") return { kind: "loop" };
  if (scheme === "socket" || scheme === "rfc2217") {
    const rest = url.slice(scheme.length + 3);
    const m = /^(\[[^\]]+\]|[^:/?#]+):(\d+)\/?$/.exec(rest);
    const port = m ? Number(m[2]) : Number.NaN;
    if (!m || !(port > 0 && port < 65536)) {
      const why = rest.includes("?") ? " (URL options after ? are not supported)" : "";
      throw new TypeError(`serial url "${url}" must be ${scheme}://host:port with a port 1-65535${why}`);
    }
    return { kind: scheme, host: m[1]!.replace(/^\[|\]$/g, ""), port };
  }
  throw new TypeError(`serial url "${url}": the ${scheme}:// scheme is not supported; use ${SUPPORTED}`);
}

/** How the target is named in messages: the device path or the URL. */
export function describeTarget(target: SerialTarget): string {
  switch (target.kind) {
    case "device":
      return target.path;
    case "loop":
      return "loop://";
    default:
      return `${target.kind}://${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;
  }
}
