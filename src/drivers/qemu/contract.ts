import type { Duplex } from "node:stream";

/** A QEMU board's console: its first serial port as a byte stream (a PySerial `console` to Jumpstarter). */
export interface QemuConsoleInterface {
  connect(): Duplex;
}
