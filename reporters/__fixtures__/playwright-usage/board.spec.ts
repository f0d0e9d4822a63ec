import { boardTest, expect } from "../../../fixtures/playwright/index.ts";

// The mock board: a power switch and a shell. The failing test ends its worker, and with it the
// worker's board: the last test runs on a second board.
const test = boardTest({
  exporter: new URL("../../../example-tests/mock-board/exporter.yaml", import.meta.url),
});

test("switches the power", async ({ power }) => {
  await power.on();
  await power.on();
  await power.off();
});

test("runs the shell", async ({ shell }) => {
  expect((await shell.hello("pw")).stdout).toBe("hello pw\n");
});

test("fails after a call", async ({ power }) => {
  await power.on();
  expect(await power.state()).toBe("off");
});

test("runs on the next worker's board", async ({ power }) => {
  await power.off();
});
