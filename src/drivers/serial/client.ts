import type { Duplex } from "node:stream";
import { DriverClient } from "../../client/client.ts";
import { ExpectConsole, type ExpectConsoleOptions } from "../../expect/index.ts";

/** Client of a serial port (Jumpstarter `PySerialClient`). */
export class SerialClient extends DriverClient {
  /** The port's raw bytes, both ways. End it to close the port. */
  connect(): Promise<Duplex> {
    return this.byteStream("connect");
  }

  /**
   * An expect console over a new connection: `expect`, `send`, `sendline`, bad patterns and a
   * transcript named after this driver. `console.close()` closes the connection.
   */
  async openConsole(options: ExpectConsoleOptions = {}): Promise<ExpectConsole> {
    const stream = await this.connect();
    return new ExpectConsole(stream, { name: this.path || "serial", ...options });
  }

  async setDtr(value: boolean): Promise<void> {
    await this.call("set_dtr", value);
  }

  async setRts(value: boolean): Promise<void> {
    await this.call("set_rts", value);
  }

  /** Force-closes every open connection of the port (Jumpstarter's `close()`). */
  async closeConnections(): Promise<void> {
    await this.call("close");
  }
}
