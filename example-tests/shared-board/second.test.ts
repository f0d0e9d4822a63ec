import { boardTest } from "dutkit/vitest";
import { expect, inject } from "vitest";

const test = boardTest({}, { scope: "run" });

test("the shell runs on the shared board", async ({ client }) => {
  const result = await client.shell.hello("run");
  expect(result.stdout).toBe("hello run\n");
});

test("this file's calls reach the run's one driver", async ({ board, client }) => {
  expect(board.leaseId).toBe(inject("dutkitSharedBoard").leaseId);
  const before = (await client.power.history()).length;
  await client.power.cycle(0);
  // Other files may call the same switch meanwhile: look for ours among the calls made since.
  const since = (await client.power.history()).slice(before).map((call: { method: string }) => call.method);
  expect(since).toEqual(expect.arrayContaining(["off", "on"]));
});
