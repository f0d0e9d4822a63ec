export { MockPowerClient, PowerClient, type PowerReading } from "./client.ts";
export type { MockPowerInterface, PowerCall, PowerInterface, PowerState } from "./contract.ts";
export { MockPower } from "./driver.ts";
