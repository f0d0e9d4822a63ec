import { boardTest } from "../../../fixtures/playwright/index.ts";

// Getting this worker's board fails (its serial port is absent).
const test = boardTest({ exporter: new URL("./boards/absent-port.yaml", import.meta.url) });

test("needs the unplugged board", async ({ serial }) => {
  await serial.openConsole();
});
