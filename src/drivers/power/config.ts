import { z } from "zod";

export const MockPowerConfig = z
  .strictObject({
    voltage: z.number().describe("voltage `read` reports while on").default(5),
    current: z.number().describe("current `read` reports while on").default(2),
  })
  .describe("MockPower options");

export type MockPowerConfig = z.output<typeof MockPowerConfig>;
