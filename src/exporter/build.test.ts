import { expect, test } from "vitest";
import "../drivers/index.ts";
import { checkedDriverConfig } from "../config/entries.ts";
import { checkExporterConfig } from "../config/index.ts";
import type { LoadedExporterConfig, TypedDriverEntry } from "../config/types.ts";
import type { MockPower } from "../drivers/power/driver.ts";
import { buildDriverTree } from "./build.ts";

const config = (powerConfig: Record<string, unknown>) => ({
  apiVersion: "jumpstarter.dev/v1alpha1" as const,
  kind: "ExporterConfig" as const,
  metadata: { name: "built" },
  export: { power: { type: "MockPower", config: powerConfig } },
});

test("a driver config that did not come through the check is checked when the driver is built", async () => {
  const unchecked: LoadedExporterConfig = { config: config({ bogus: 1 }), source: "<by hand>", dir: "." };
  await expect(buildDriverTree(unchecked)).rejects.toThrow(/bogus/);
});

test("a checked config's drivers get the driver config as the check parsed it, not parsed again", async () => {
  const checked = checkExporterConfig(config({ voltage: 12 }), "<test>", ".");
  const entry = checked.config.export.power as TypedDriverEntry;
  const parsed = checkedDriverConfig(entry)?.parsed as { voltage: number; current: number };
  // The check filled in the default; the driver gets that very object.
  expect(parsed).toEqual({ voltage: 12, current: 2 });
  parsed.current = 3;
  const tree = await buildDriverTree(checked);
  try {
    const readings = [];
    for await (const reading of (tree.root.children.power as MockPower).read()) readings.push(reading);
    expect(readings.at(-1)).toEqual({ voltage: 12, current: 3 });
  } finally {
    await tree.root.close();
  }
});
