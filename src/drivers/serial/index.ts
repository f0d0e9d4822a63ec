import { type ClientsOf, defineDriver } from "../define.ts";
import { SerialClient } from "./client.ts";
import { SerialConfig } from "./config.ts";
import { Serial } from "./driver.ts";

export { SerialClient } from "./client.ts";
export { describeTarget, parseSerialUrl, SerialConfig, type SerialTarget } from "./config.ts";
export { SerialConnection } from "./connection.ts";
export type { SerialInterface } from "./contract.ts";
export { Serial } from "./driver.ts";

export const serialDriver = defineDriver({
  type: "Serial",
  aliases: ["jumpstarter_driver_pyserial.driver.PySerial"],
  summary: "A serial port (device, socket://, rfc2217://, loop://) as the byte stream connect",
  config: SerialConfig,
  create: (config, { init }) => Serial.create(config, init),
  client: SerialClient,
  clients: { [Serial.clientId]: SerialClient },
});

declare module "../../core/registry.ts" {
  interface DriverClients<Config> extends ClientsOf<typeof serialDriver> {}
}
