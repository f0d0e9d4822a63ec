export { MockPowerClient, type PowerCall, PowerClient, type PowerReading } from "./client.ts";
export { MockPower } from "./driver.ts";
