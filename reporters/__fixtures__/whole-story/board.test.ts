import { expect } from "vitest";
import { boardTest } from "../../../fixtures/vitest/index.ts";

const test = boardTest({ exporter: new URL("./boards/labeled-board.yaml", import.meta.url) });

test("switches the power", async ({ power }) => {
  await power.on();
});

test("reads its console back", async ({ serial }) => {
  const console = await serial.openConsole({ timeout: 5_000 });
  try {
    await console.sendline("hello");
    await console.expect("hello\n");
  } finally {
    await console.close();
  }
});

test("fails an assertion on the board", async ({ power }) => {
  await power.on();
  expect(await power.state(), "the power after on()").toBe("off");
});
