import { type ClientsOf, defineDriver } from "../define.ts";
import { UbootConsoleClient } from "./client.ts";
import { UbootConfig } from "./config.ts";
import { UbootConsole } from "./driver.ts";

export { type RunCommandOptions, UbootConsoleClient } from "./client.ts";
export { UbootConfig } from "./config.ts";
export type { DhcpInfo, UbootConsoleInterface } from "./contract.ts";
export { UbootConsole } from "./driver.ts";
export { UbootBadOutputError, UbootCommandError, UbootNoPromptError, UbootTimeoutError } from "./errors.ts";
export { type CommandOptions, UbootShell, type UbootShellOptions } from "./shell.ts";
export { quote as quoteUbootValue } from "./syntax.ts";

export const ubootConsoleDriver = defineDriver({
  type: "UbootConsole",
  aliases: ["jumpstarter_driver_uboot.driver.UbootConsole"],
  summary:
    "U-Boot's console over children power and serial: stop autoboot, run checked commands, env, DHCP, TFTP",
  config: UbootConfig,
  children: { accepts: "any", required: ["power", "serial"] },
  create: (config, { init }) => new UbootConsole(config, init),
  client: UbootConsoleClient,
  clients: { [UbootConsole.clientId]: UbootConsoleClient, [UbootConsole.dutkitClientId]: UbootConsoleClient },
});

declare module "../../core/registry.ts" {
  interface DriverClients<Config> extends ClientsOf<typeof ubootConsoleDriver> {}
}
