// The YAML board with typed fixtures. exporter.drivers.ts is what
// `dutkit types exporter.yaml -o exporter.drivers.ts` writes: passed as `drivers`, it types `power`
// and `shell` (whose methods are the YAML's `methods:` keys), so `shell.helo()` is a type error.
// The same description gives a board leased by selector its fixtures and types:
// boardTest({ selector: "board=mock", drivers: mockBoardDrivers }).
import { boardTest } from "dutkit/vitest";
import { expect } from "vitest";
import { type MockBoardClient, mockBoardDrivers } from "./exporter.drivers.ts";

const test = boardTest({ exporter: new URL("./exporter.yaml", import.meta.url), drivers: mockBoardDrivers });

/** A helper typed with the generated client tree. */
async function greet(shell: MockBoardClient["shell"], name: string): Promise<string> {
  return (await shell.hello(name)).stdout;
}

test("typed fixtures of a YAML board", async ({ power, shell, client }) => {
  await power.on();
  expect(await greet(shell, "typed")).toBe("hello typed\n");
  expect((await client.shell.uname()).exitCode).toBe(0);
  await client.board.switch.off();
});
