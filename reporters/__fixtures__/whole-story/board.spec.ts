import { boardTest, expect } from "../../../fixtures/playwright/index.ts";

const test = boardTest({ exporter: new URL("./boards/labeled-board.yaml", import.meta.url) });

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
