export { TftpServerClient } from "./client.ts";
export { TftpConfig } from "./config.ts";
export type { TftpInterface, TftpTransferRecord } from "./contract.ts";
export { Tftp, type TftpOptions } from "./driver.ts";
