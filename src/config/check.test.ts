import { describe, expect, test } from "vitest";
import "./__fixtures__/test-drivers.ts";
import { defineExporter } from "./define.ts";
import { ConfigError } from "./errors.ts";
import { checkExporterConfig } from "./load.ts";

describe("checkExporterConfig (configs given as objects)", () => {
  test("accepts a defineExporter config unchanged", () => {
    const exporter = defineExporter({
      apiVersion: "jumpstarter.dev/v1alpha1",
      kind: "ExporterConfig",
      metadata: { name: "typed", labels: { board: "x" } },
      export: {
        power: { type: "TestPowerX", config: { voltage: 3.3 } },
        group: { children: { serial: { type: "TestSerialX", config: { port: "/dev/null" } } } },
        alias: { ref: "group.serial" },
      },
    });
    const loaded = checkExporterConfig(exporter, "<defineExporter>", "/lab");
    expect(loaded).toEqual({ config: exporter, source: "<defineExporter>", dir: "/lab" });
  });

  test("fills in apiVersion, kind and a default name when they are left out", () => {
    const loaded = checkExporterConfig({ export: { power: { type: "TestPowerX" } } }, "<object>", "/lab");
    expect(loaded.config).toEqual({
      apiVersion: "jumpstarter.dev/v1alpha1",
      kind: "ExporterConfig",
      metadata: { name: "local" },
      export: { power: { type: "TestPowerX" } },
    });
  });

  test("fields set to undefined count as absent", () => {
    const loaded = checkExporterConfig(
      { description: undefined, export: { power: { type: "TestPowerX", config: undefined } } },
      "<object>",
      "/lab",
    );
    expect(loaded.config.export.power).toEqual({ type: "TestPowerX" });
  });

  test("makes the same checks as for files, with issues that have no position", () => {
    let error: unknown;
    try {
      checkExporterConfig(
        {
          kind: "ExporterConfig",
          export: { power: { type: "TestPowerX", config: { volts: 3 } }, alias: { ref: "nope" } },
        },
        "<defineExporter>",
        "/lab",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      {
        file: "<defineExporter>",
        path: "export.power.config.volts",
        message: 'unknown field "volts"',
        expected: 'one of the fields "voltage", "current", "label", "mode"',
        fix: "remove it or fix its name",
      },
      {
        file: "<defineExporter>",
        path: "export.alias.ref",
        message: 'ref "nope" names no driver: export has no child "nope"',
        expected: 'one of "power", "alias" after "export"',
        fix: "point it at an existing driver",
      },
    ]);
    expect((error as ConfigError).message).toContain(
      '  <defineExporter> export.power.config.volts: unknown field "volts" — expected one of the fields',
    );
  });

  test("values a config cannot hold", () => {
    expect(() =>
      checkExporterConfig(
        { export: { power: { type: "TestPowerX", labels: { at: new Date(0) } } } },
        "<o>",
        "/",
      ),
    ).toThrow(/export\.power\.labels\.at: wrong type: got a date/);
    expect(() => checkExporterConfig([], "<o>", "/")).toThrow(/the config is not a map/);
  });
});
