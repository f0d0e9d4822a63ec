// Run by controller.test.ts in an inner vitest: a board leased by selector from `dutkit controller`
// (the client config as `jmp` finds it), which is Jumpstarter's exporter (`jmp run`), reached
// through the controller's router. The portable part of the mock-board suite.
import { describeBoard } from "dutkit/vitest";
import { expect } from "vitest";

describeBoard(
  "Jumpstarter's exporter leased by selector",
  { selector: process.env.LEASED_SELECTOR ?? "board=py" },
  (test) => {
    test("the lease is remote and the board is not dutkit's", ({ board }) => {
      expect(board.kind).toBe("remote");
      expect(board.implementation).toBe("jumpstarter");
    });

    test("power switches and streams its readings", async ({ client }) => {
      await client.power.on();
      await client.power.off();
      const readings = [];
      for await (const reading of client.power.read()) readings.push(reading);
      expect(readings).toHaveLength(2);
    });

    test("a shell method runs with its arguments and exit code", async ({ client }) => {
      expect(await client.shell.hello("leased")).toMatchObject({ exitCode: 0, stdout: "hello leased\n" });
    });
  },
);
