import { afterAll, beforeAll, expect } from "vitest";
import { describeBoard } from "../../fixtures/vitest/index.ts";
import { type Lab, startLab } from "../controller/__fixtures__/lab.ts";

// describeBoard with a selector leases from the controller named by the JMP_* env (spec 3). The
// lease is recorded in the run's lease-usage report like any other (kind "remote").
let lab: Lab;
const saved = { ...process.env };
beforeAll(async () => {
  lab = await startLab();
  await lab.startExporter("mock-board");
  delete process.env.JUMPSTARTER_HOST;
  delete process.env.JMP_LEASE;
  Object.assign(process.env, {
    ...lab.clientEnv(),
    DUTKIT_LEASE_DURATION: "5m",
  });
});
afterAll(async () => {
  process.env = saved;
  const leases = lab.controller.book.leases();
  await lab.close();
  // The block's lease was created by the fixture, so the fixture deleted it.
  expect(leases.map((l) => l.ended?.reason)).toEqual(["Released"]);
});

describeBoard("a board leased by selector", { selector: "board=mock" }, (test) => {
  test("drives the mock board through controller and router", async ({ board, client }) => {
    expect(board.kind).toBe("remote");
    expect(board.exporter.name).toBe("mock-board");
    expect(board.selector).toBe("board=mock");
    await (client as any).power.on();
    expect((await (client as any).shell.hello("remote")).stdout).toBe("hello remote\n");
  });

  test("holds the same lease for the whole block", async ({ board }) => {
    expect(lab.controller.book.lease(board.leaseId)?.exporter).toBe("mock-board");
  });
});
