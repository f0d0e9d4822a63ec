import { type ClientsOf, defineDriver } from "../define.ts";
import { type MethodNamesOf, type ShellClient, ShellClientBase } from "./client.ts";
import { resolveCwd, ShellConfig } from "./config.ts";
import { Shell } from "./driver.ts";

export {
  type MethodNamesOf,
  type ShellCallOptions,
  type ShellClient,
  ShellClientBase,
  type ShellMethodShortcut,
  type ShellOutputChunk,
  type ShellResult,
  type ShellRunOptions,
} from "./client.ts";
export { ShellConfig } from "./config.ts";
export type { ShellInterface, ShellOutputItem } from "./contract.ts";
export { Shell, type ShellOptions, TIMEOUT_EXIT_CODE } from "./driver.ts";

export const shellDriver = defineDriver({
  type: "Shell",
  aliases: ["jumpstarter_driver_shell.driver.Shell"],
  summary: "Runs configured shell scripts as methods, streaming their output",
  config: ShellConfig,
  create: (config, { init, configDir }) =>
    new Shell(config, { cwd: resolveCwd(config.cwd, configDir), init }),
  // ShellClient's shortcuts are the method names; the scripts stay in the YAML.
  typedConfig: (config) => ({
    methods: Object.fromEntries(Object.keys(config.methods).map((name) => [name, {}])),
  }),
  client: ShellClientBase,
  clients: { [Shell.clientId]: ShellClientBase },
});

declare module "../../core/registry.ts" {
  // A Shell client's shortcuts are the method names of the entry's config.
  interface DriverClients<Config> extends ClientsOf<typeof shellDriver, ShellClient<MethodNamesOf<Config>>> {}
}
