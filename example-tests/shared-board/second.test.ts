import { boardTest } from "dutkit/vitest";
import { expect } from "vitest";

const test = boardTest({}, { scope: "run" });

test("the shell runs on the shared board", async ({ client }) => {
  const result = await client.shell.hello("run");
  expect(result.stdout).toBe("hello run\n");
});

test("calls from every file reach the same drivers", async ({ client }) => {
  const history: { method: string }[] = await client.power.history();
  expect(history.length).toBeGreaterThanOrEqual(0);
});
