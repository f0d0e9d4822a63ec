export { TftpServerClient } from "./client.ts";
export { TftpConfig } from "./config.ts";
export { Tftp, type TftpOptions, type TftpTransferRecord } from "./driver.ts";
