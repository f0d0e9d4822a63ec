export { type QemuBoardClient, QemuClient, QemuConsoleClient } from "./client.ts";
export { QemuConfig, QemuConfigError } from "./config.ts";
export { ConsoleHub } from "./console-hub.ts";
export type { QemuConsoleInterface } from "./contract.ts";
export { Qemu, QemuConsole, QemuPower } from "./driver.ts";
export { QemuMachine } from "./machine.ts";
