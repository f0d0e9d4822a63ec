import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { InvalidArgumentError, NotFoundError } from "../../core/errors.ts";
import { openBoard, type TestBoard, WIRES } from "../../testing/open-board.ts";
import { MockPowerClient, type PowerReading } from "./index.ts";

// Jumpstarter's own spelling of the driver, as a Jumpstarter exporter config has it.
const yaml = `
apiVersion: jumpstarter.dev/v1alpha1
kind: ExporterConfig
metadata: { name: power-board }
export:
  power:
    type: jumpstarter_driver_power.driver.MockPower
    config: { voltage: 12, current: 0.5 }
`;

async function readAll(readings: AsyncIterable<PowerReading>): Promise<PowerReading[]> {
  const all: PowerReading[] = [];
  for await (const reading of readings) all.push(reading);
  return all;
}

describe.each(WIRES)("MockPower through its client (%s)", (wire) => {
  let board: TestBoard;
  let power: MockPowerClient;
  beforeEach(async () => {
    board = await openBoard(yaml, wire);
    power = board.client.power;
  });
  afterEach(async () => {
    await board.close();
  });

  test("is a MockPowerClient that starts in an unknown state", async () => {
    expect(power).toBeInstanceOf(MockPowerClient);
    expect(power.labels["jumpstarter.dev/client"]).toBe("jumpstarter_driver_power.client.PowerClient");
    expect(await power.state()).toBe("unknown");
    expect(await power.history()).toEqual([]);
  });

  test("on, off and cycle switch the state; history records each call in order", async () => {
    await power.on();
    expect(await power.state()).toBe("on");
    await power.off();
    expect(await power.state()).toBe("off");
    await power.cycle(0);
    expect(await power.state()).toBe("on");
    const history = await power.history();
    expect(history.map((call) => call.method)).toEqual(["on", "off", "off", "on"]);
    for (const call of history) expect(new Date(call.at).toISOString()).toBe(call.at);
  });

  test("read() streams (0 V, 0 A) then the configured reading, with the apparent power", async () => {
    expect(await readAll(power.read())).toEqual([
      { voltage: 0, current: 0, apparentPower: 0 },
      { voltage: 12, current: 0.5, apparentPower: 6 },
    ]);
    expect((await power.history()).map((call) => call.method)).toEqual(["read"]);
  });

  test("stopping read() early ends the stream; the driver takes calls after", async () => {
    for await (const reading of power.read()) {
      expect(reading.voltage).toBe(0);
      break;
    }
    await power.on();
    expect(await power.state()).toBe("on");
  });

  test("cycle() refuses a negative wait before switching anything", async () => {
    await expect(power.cycle(-1)).rejects.toThrow(InvalidArgumentError);
    await expect(power.cycle(Number.NaN)).rejects.toThrow(/the wait must be a number of seconds ≥ 0/);
    expect(await power.history()).toEqual([]);
  });

  test("a method the driver does not have is refused with the methods it has", async () => {
    const error = await power.call("explode").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      code: "ERR_DUTKIT_NOT_FOUND",
      message:
        "power.explode() failed: method explode not found on driver power (methods: on, off, read, history, state)",
    });
  });
});
