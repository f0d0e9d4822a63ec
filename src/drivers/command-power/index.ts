import { type ClientsOf, defineDriver } from "../define.ts";
import { PowerClient } from "../power/client.ts";
import { CommandPowerConfig } from "./config.ts";
import { CommandPower } from "./driver.ts";

export { CommandPowerConfig } from "./config.ts";
export { CommandPower } from "./driver.ts";

export const commandPowerDriver = defineDriver({
  type: "CommandPower",
  summary: "A power switch driven by shell commands for on, off and read",
  config: CommandPowerConfig,
  create: (config, { init }) => new CommandPower(config, init),
  client: PowerClient,
  clients: { [CommandPower.clientId]: PowerClient },
});

declare module "../../core/registry.ts" {
  interface DriverClients<Config> extends ClientsOf<typeof commandPowerDriver> {}
}
