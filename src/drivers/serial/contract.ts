import type { Duplex } from "node:stream";

/** The methods of Jumpstarter's PySerial driver. */
export interface SerialInterface {
  connect(): Promise<Duplex>;
  /** Force-closes the port's open connections. */
  close(): Promise<void>;
  set_dtr(value: boolean): Promise<void>;
  set_rts(value: boolean): Promise<void>;
}
