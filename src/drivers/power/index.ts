import { type ClientsOf, defineDriver } from "../define.ts";
import { MockPowerClient, PowerClient } from "./client.ts";
import { MockPowerConfig } from "./config.ts";
import { MockPower } from "./driver.ts";

export { MockPowerClient, PowerClient, type PowerReading } from "./client.ts";
export { MockPowerConfig } from "./config.ts";
export type { MockPowerInterface, PowerCall, PowerInterface, PowerState } from "./contract.ts";
export { MockPower } from "./driver.ts";

export const mockPowerDriver = defineDriver({
  type: "MockPower",
  aliases: ["jumpstarter_driver_power.driver.MockPower", "jumpstarter_driver_power.driver.SyncMockPower"],
  summary: "A power switch for tests: records on/off, streams two fixed readings",
  config: MockPowerConfig,
  create: (config, { init }) => new MockPower(config, init),
  client: MockPowerClient,
  clients: { [MockPower.clientId]: PowerClient, [MockPower.dutkitClientId]: MockPowerClient },
});

declare module "../../core/registry.ts" {
  interface DriverClients<Config> extends ClientsOf<typeof mockPowerDriver> {}
}
