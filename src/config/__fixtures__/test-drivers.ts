// Driver types for the config tests, named so they cannot collide with real drivers.
import { z } from "zod";
import { Composite, Driver } from "../../core/driver.ts";
import { registerDriverType } from "../../core/registry.ts";

class TestDriver extends Driver {}

registerDriverType({
  id: "TestPowerX",
  aliases: ["test_driver_power.driver.TestPowerX"],
  summary: "A test power switch",
  config: z.strictObject({
    voltage: z.number().positive().default(5).describe("volts"),
    current: z.number().optional(),
    label: z.string().optional(),
    mode: z.enum(["ac", "dc"]).optional(),
  }),
  create: (_config, { init }) => new TestDriver(init),
});

registerDriverType({
  id: "TestSerialX",
  summary: "A test serial port",
  config: z.strictObject({
    port: z.string().describe("device path"),
    baud: z.number().int().default(115200),
  }),
  create: (_config, { init }) => new TestDriver(init),
});

registerDriverType({
  id: "TestBoardX",
  summary: "A test board that needs a power child",
  config: z.strictObject({}),
  children: { accepts: "any", required: ["power"] },
  create: (_config, { init }) => new Composite(init),
});
