// Configs as Jumpstarter writes them, loaded with dutkit's real MockPower and Shell drivers.
import { describe, expect, test } from "vitest";
import "../drivers/index.ts";
import "../drivers/shell/index.ts";
import { ConfigError } from "./errors.ts";
import { parseExporterConfig } from "./load.ts";

// The shape `jmp config exporter` saves: every optional field present, null when unset.
const savedByJumpstarter = `apiVersion: jumpstarter.dev/v1alpha1
kind: ExporterConfig
metadata:
  namespace: lab
  name: demo
endpoint: null
tls:
  ca: ''
  insecure: false
token: null
grpcOptions: {}
description: null
export:
  power:
    type: jumpstarter_driver_power.driver.MockPower
    description: null
    methods_description: {}
    config: {}
    children: {}
  tools:
    children:
      shell:
        type: jumpstarter_driver_shell.driver.Shell
        description: board scripts
        methods_description: {hello: says hello}
        config:
          methods:
            hello: echo hello
          timeout: 30
  power2:
    ref: power
hooks:
  beforeLease: null
  afterLease: null
`;

describe("Jumpstarter exporter configs", () => {
  test("a config saved by Jumpstarter loads, with its nulls dropped", () => {
    const { config } = parseExporterConfig(savedByJumpstarter, "demo.yaml");
    expect(config).toEqual({
      apiVersion: "jumpstarter.dev/v1alpha1",
      kind: "ExporterConfig",
      metadata: { namespace: "lab", name: "demo" },
      tls: { ca: "", insecure: false },
      grpcOptions: {},
      hooks: {},
      export: {
        power: { type: "jumpstarter_driver_power.driver.MockPower", methods_description: {}, config: {} },
        tools: {
          children: {
            shell: {
              type: "jumpstarter_driver_shell.driver.Shell",
              description: "board scripts",
              methods_description: { hello: "says hello" },
              config: { methods: { hello: "echo hello" }, timeout: 30 },
            },
          },
        },
        power2: { ref: "power" },
      },
    });
  });

  test("a Jumpstarter driver's config is checked against dutkit's schema for it", () => {
    const text = savedByJumpstarter.replace("timeout: 30", "timeout: 30\n          shel: [sh, -c]");
    let error: unknown;
    try {
      parseExporterConfig(text, "demo.yaml");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toMatchObject([
      {
        line: 30,
        column: 11,
        path: "export.tools.children.shell.config.shel",
        fix: 'did you mean "shell"? otherwise remove it',
      },
    ]);
  });
});
