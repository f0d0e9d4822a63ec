export { SerialClient } from "./client.ts";
export { describeTarget, parseSerialUrl, SerialConfig, type SerialTarget } from "./config.ts";
export { SerialConnection } from "./connection.ts";
export type { SerialInterface } from "./contract.ts";
export { Serial } from "./driver.ts";
