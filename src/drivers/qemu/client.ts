import type { Duplex } from "node:stream";
import { CompositeClient, DriverClient } from "../../client/client.ts";
import type { PowerClient } from "../power/index.ts";

/** Client of a QEMU board's serial console: a raw byte stream to and from its first serial port. */
export class QemuConsoleClient extends DriverClient {
  /** Opens the serial line. Output the board printed while nobody was connected comes first. */
  async connect(): Promise<Duplex> {
    return this.byteStream("connect");
  }
}

/** Client of a QEMU board (Jumpstarter `QemuClient`): its children are its API. */
export class QemuClient extends CompositeClient {}

/** What a test gets for a `Qemu` entry. */
export type QemuBoardClient = QemuClient & {
  readonly power: PowerClient;
  readonly console: QemuConsoleClient;
};
