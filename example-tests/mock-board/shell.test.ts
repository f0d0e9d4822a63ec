// describeBoard: one board for the block, in the spirit of Jumpstarter's JumpstarterTest.
import { describeBoard } from "dutkit/vitest";
import { expect } from "vitest";

describeBoard("mock board shell", { exporter: new URL("./exporter.yaml", import.meta.url) }, (test) => {
  test("runs a configured method with arguments", async ({ shell }) => {
    const result = await shell.hello("board");
    expect(result).toMatchObject({ exitCode: 0, stdout: "hello board\n" });
  });

  test("reports the exit code and stderr of a failing method", async ({ client }) => {
    const result = await client.shell.run("fail");
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("about to fail");
  });

  test("power is in the same block", async ({ client }) => {
    await client.power.on();
    const readings = [];
    for await (const reading of client.power.read()) readings.push(reading);
    expect(readings).toHaveLength(2);
  });
});
