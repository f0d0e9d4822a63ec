// An expect console over a serial port in loopback (`loop://`): what is sent comes back. The
// console's transcript for each test is attached to the test's report.

import { EOF } from "dutkit";
import { boardTest } from "dutkit/vitest";
import { expect } from "vitest";

const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url) });

test("a console reads back what it sends", async ({ serial }) => {
  const console = await serial.openConsole({ timeout: 5_000 });
  try {
    await console.sendline("version");
    const { before, match } = await console.expect(["version\n", EOF]);
    expect(match).toBeDefined();
    expect(before).toBe("");
  } finally {
    await console.close();
  }
});
