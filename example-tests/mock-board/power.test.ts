// Plain fixtures: one board per test file, a fixture per top-level driver. The file also passes
// against Jumpstarter's own exporter (`jmp shell --exporter-config exporter.yaml -- npx vitest run`):
// the tests of MockPower's dutkit-only methods (`state`, `history`) skip there, saying why.
import type { MockPower } from "dutkit";
import { boardTest } from "dutkit/vitest";
import { expect } from "vitest";

const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url) });

const DUTKIT_ONLY = "MockPower's state and history are dutkit's own; this exporter is not dutkit's";

test("power on and off through the client", async ({ power }) => {
  await power.on();
  await power.off();
});

test("the switch is in the state it was last put in", async ({ board, power, skip }) => {
  skip(board.implementation !== "dutkit", DUTKIT_ONLY);
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

test("the driver kept a history tests can assert on", async ({ board, power, skip }) => {
  skip(board.implementation !== "dutkit", DUTKIT_ONLY);
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

test("a ref is the same driver again", async ({ client }) => {
  expect(client.board.switch.uuid).toBe(client.power.uuid);
  await client.board.switch.off();
});
