import { type ClientsOf, defineDriver } from "../define.ts";
import { withServedRoot } from "../storage/index.ts";
import { TftpServerClient } from "./client.ts";
import { TftpConfig } from "./config.ts";
import { Tftp } from "./driver.ts";

export { TftpServerClient } from "./client.ts";
export { TftpConfig } from "./config.ts";
export type { TftpInterface, TftpTransferRecord } from "./contract.ts";
export { Tftp, type TftpOptions } from "./driver.ts";

export const tftpDriver = defineDriver({
  type: "Tftp",
  aliases: ["jumpstarter_driver_tftp.driver.Tftp"],
  summary: "A TFTP server for boot files, with a storage child to put files in its root",
  config: TftpConfig,
  create: (config, { init, configDir }) =>
    withServedRoot(
      { config, configDir, tempPrefix: "dutkit-tftp-", description: "Files in the TFTP root" },
      ({ storage, ...served }) =>
        new Tftp(config, { served, init: { ...init, children: { ...init.children, storage } } }),
    ),
  client: TftpServerClient,
  clients: { [Tftp.clientId]: TftpServerClient, [Tftp.dutkitClientId]: TftpServerClient },
});

declare module "../../core/registry.ts" {
  interface DriverClients<Config> extends ClientsOf<typeof tftpDriver> {}
}
