import { type ClientsOf, defineDriver } from "../define.ts";
import { type QemuBoardClient, QemuClient, QemuConsoleClient } from "./client.ts";
import { QemuConfig } from "./config.ts";
import { Qemu, QemuConsole } from "./driver.ts";

export { type QemuBoardClient, QemuClient, QemuConsoleClient } from "./client.ts";
export { QemuConfig, QemuConfigError } from "./config.ts";
export { ConsoleHub } from "./console-hub.ts";
export type { QemuConsoleInterface } from "./contract.ts";
export { Qemu, QemuConsole, QemuPower } from "./driver.ts";
export { QemuMachine } from "./machine.ts";

export const qemuDriver = defineDriver({
  type: "Qemu",
  aliases: ["jumpstarter_driver_qemu.driver.Qemu"],
  summary:
    "A QEMU virtual board: children power (starts/stops qemu-system-<arch>) and console (its serial line)",
  config: QemuConfig,
  provides: ["power", "console"],
  create: (config, { init, configDir }) => new Qemu(config, configDir, init),
  client: QemuClient,
  // The power child reports Jumpstarter's PowerClient, registered by the power folder.
  clients: { [Qemu.clientId]: QemuClient, [QemuConsole.dutkitClientId]: QemuConsoleClient },
});

declare module "../../core/registry.ts" {
  // The board's children, power and console, are typed members of its client.
  interface DriverClients<Config> extends ClientsOf<typeof qemuDriver, QemuBoardClient> {}
}
