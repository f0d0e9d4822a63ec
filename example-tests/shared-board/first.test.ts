// With { scope: "run" } every test file uses the one board that global setup holds for the run,
// so state set here (the power switch) is still there in second.test.ts.
import { boardTest } from "dutkit/vitest";
import { describe, expect } from "vitest";

const test = boardTest({}, { scope: "run" });

describe.sequential("one board for the run", () => {
  test("the board is the run's lease", async ({ board }) => {
    expect(board.exporter.name).toBe("mock-board");
    expect(board.session).toBeUndefined();
  });

  // The run's board gives every file a fixture per driver, with no config in the file.
  test("switch the power on", async ({ power }) => {
    await power.on();
    expect(await power.state()).toBe("on");
  });
});
