import { boardTest } from "../../../fixtures/vitest/index.ts";

// Getting this board fails (its serial port is absent): both tests fail while getting it.
const test = boardTest({ exporter: new URL("./boards/absent-port.yaml", import.meta.url) });

test("needs the unplugged board", async ({ serial }) => {
  await serial.openConsole();
});

test("needs it too", async ({ client }) => {
  await client.serial.openConsole();
});
