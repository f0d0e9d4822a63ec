export { type RunCommandOptions, UbootConsoleClient } from "./client.ts";
export { UbootConfig } from "./config.ts";
export type { DhcpInfo, UbootConsoleInterface } from "./contract.ts";
export { UbootConsole } from "./driver.ts";
export { UbootBadOutputError, UbootCommandError, UbootNoPromptError, UbootTimeoutError } from "./errors.ts";
export { type CommandOptions, UbootShell, type UbootShellOptions } from "./shell.ts";
export { quote as quoteUbootValue } from "./syntax.ts";
