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
