// Plain fixtures: one board per test file, a fixture per top-level driver.
import type { MockPower } from "dutkit";
import { boardTest } from "dutkit/vitest";
import { expect } from "vitest";

const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url) });

test("power on and off through the client", async ({ power }) => {
  await power.on();
  expect(await power.state()).toBe("on");
  await power.off();
  expect(await power.state()).toBe("off");
});

test("power readings stream", async ({ client }) => {
  const readings = [];
  for await (const reading of client.power.read()) readings.push(reading);
  expect(readings).toEqual([
    { voltage: 0, current: 0, apparentPower: 0 },
    { voltage: 5, current: 2, apparentPower: 10 },
  ]);
});

test("the driver kept a history tests can assert on", async ({ board, power }) => {
  await power.cycle(0);
  const history = await power.history();
  expect(history.slice(-2).map((call: { method: string }) => call.method)).toEqual(["off", "on"]);
  // The drivers themselves are at hand only when they run in this process, not over gRPC
  // (JUMPSTARTER_HOST, as inside `dutkit shell`): then the driver saw the same calls.
  if (process.env.JUMPSTARTER_HOST) {
    expect(board.session).toBeUndefined();
  } else {
    const driver = board.session?.driver<MockPower>("power");
    expect(driver?.calls.slice(-2).map((call) => call.method)).toEqual(["off", "on"]);
  }
});

test("a ref reaches the same driver", async ({ client }) => {
  await client.board.switch.off();
  expect(await client.power.state()).toBe("off");
});
