// The same kind of board described in TypeScript: the client tree is typed from the config.
import { boardTest, defineExporter } from "dutkit/vitest";
import { expect } from "vitest";

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "typed-board", labels: { board: "typed" } },
  export: {
    power: { type: "MockPower", config: { voltage: 12, current: 0.5 } },
    shell: { type: "Shell", config: { methods: { greet: "echo hi" } } },
  },
});

const test = boardTest({ exporter });

test("typed shortcuts", async ({ power, shell }) => {
  await power.on();
  const readings = [];
  for await (const reading of power.read()) readings.push(reading.apparentPower);
  expect(readings).toEqual([0, 6]);
  expect((await shell.greet()).stdout).toBe("hi\n");
});
