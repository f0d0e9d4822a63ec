import { z } from "zod";
import { Driver, type DriverInit, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import { FailedPreconditionError, InvalidArgumentError } from "../../core/errors.ts";
import { describeTarget, parseSerialUrl, type SerialConfig, type SerialTarget } from "./config.ts";
import { SerialConnection } from "./connection.ts";
import type { SerialInterface } from "./contract.ts";
import { type ModemLines, type OpenPort, openPort } from "./transports.ts";

/**
 * Jumpstarter's PySerial driver: a serial port (a device such as /dev/ttyUSB0 or a pty, a raw
 * TCP port, an RFC 2217 server, or an in-memory loopback) offered as the byte stream `connect`.
 */
export class Serial extends Driver implements SerialInterface {
  static override readonly clientId = "jumpstarter_driver_pyserial.client.PySerialClient";
  static override readonly methods: MethodTable = {
    connect: { kind: "bytes", description: "Open the port as a byte stream" },
    close: { kind: "unary", description: "Force-close the port's open connections" },
    set_dtr: {
      kind: "unary",
      description: "Set the DTR line (device and rfc2217:// ports)",
      args: z.tuple([z.boolean({ error: "give true or false" }).describe("value")]),
    },
    set_rts: {
      kind: "unary",
      description: "Set the RTS line (device and rfc2217:// ports)",
      args: z.tuple([z.boolean({ error: "give true or false" }).describe("value")]),
    },
  } satisfies MethodTableOf<SerialInterface>;

  readonly target: SerialTarget;
  readonly name: string;
  private readonly config: SerialConfig;
  private readonly open = new Map<SerialConnection, OpenPort>();
  private lines: ModemLines = { dtr: true, rts: true };

  constructor(config: SerialConfig, init: DriverInit = {}) {
    super(init);
    this.config = config;
    this.target = parseSerialUrl(config.url);
    this.name = describeTarget(this.target);
  }

  /** Builds the driver; with check_present the port is opened and closed once first. */
  static async create(config: SerialConfig, init: DriverInit = {}): Promise<Serial> {
    const driver = new Serial(config, init);
    if (config.check_present && driver.target.kind !== "loop") {
      const port = await driver.openPort();
      await port.close();
    }
    return driver;
  }

  async connect(): Promise<SerialConnection> {
    const port = await this.openPort();
    const connection = new SerialConnection(port, { name: this.name, cps: this.config.cps });
    this.open.set(connection, port);
    connection.once("close", () => this.open.delete(connection));
    return connection;
  }

  async set_dtr(value: unknown): Promise<void> {
    await this.setLine("dtr", value);
  }

  async set_rts(value: unknown): Promise<void> {
    await this.setLine("rts", value);
  }

  /** Closes every open connection (Jumpstarter's `close`; also when the session ends). */
  override async close(): Promise<void> {
    const connections = [...this.open.keys()];
    await Promise.all(
      connections.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.closed) return resolve();
            c.once("close", () => resolve());
            c.destroy();
          }),
      ),
    );
  }

  private openPort(): Promise<OpenPort> {
    return openPort(this.target, { baudrate: this.config.baudrate, hupcl: !this.config.disable_hupcl });
  }

  private async setLine(line: keyof ModemLines, value: unknown): Promise<void> {
    const method = `set_${line}`;
    if (typeof value !== "boolean") {
      throw new InvalidArgumentError(`${method}(${JSON.stringify(value)}): give true or false`);
    }
    if (this.target.kind === "loop" || this.target.kind === "socket") {
      throw new FailedPreconditionError(
        `${method}: ${this.name} has no modem lines; DTR and RTS need a device path or an rfc2217:// url`,
      );
    }
    const lines = { ...this.lines, [line]: value };
    // A device is locked while a connection holds it: set the lines through that connection.
    const held = [...this.open.values()].find((port) => port.setLines);
    if (held) {
      await held.setLines!(lines, line);
    } else {
      const port = await this.openPort();
      try {
        await port.setLines!(lines, line);
      } finally {
        await port.close();
      }
    }
    this.lines = lines;
  }
}
