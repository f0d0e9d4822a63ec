import { describe, expect, test } from "vitest";
import "../drivers/index.ts";
import { descriptionNames, driversDescriptionSource } from "./drivers-description.ts";
import { parseExporterConfig } from "./load.ts";

const YAML = `apiVersion: jumpstarter.dev/v1alpha1
kind: ExporterConfig
metadata: { name: lab-rack.7 }
export:
  board:
    type: Qemu
    config: { arch: aarch64, machine: virt, bios: /no/such/u-boot.bin }
  uboot:
    type: UbootConsole
    children:
      power: { ref: board.power }
      serial: { ref: board.console }
  bench:
    children:
      "mains-switch": { type: MockPower }
      scripts:
        type: Shell
        config:
          methods:
            flash: { command: "secret-token-flash $1", description: Flashes }
            reset: "curl -H 'Authorization: s3cret' http://pdu/reset"
`;

describe("driversDescriptionSource", () => {
  test("keeps types, refs and children, and of a config only what a client type reads", () => {
    const loaded = parseExporterConfig(YAML, "/lab/rack.yaml");
    const command = "dutkit types ./rack.yaml -o rack.ts";
    const text = driversDescriptionSource(loaded, { command, inItsFolder: true });
    expect(text).toBe(`// Generated in this folder by \`dutkit types ./rack.yaml -o rack.ts\` from exporter
// lab-rack.7: its drivers, for typed fixtures (boardTest({ ..., drivers: labRack7Drivers })).
// Do not edit; run it again after changing the YAML (with --check, it says whether that is due).
import type { ClientTreeOf } from "dutkit";

/** The drivers of exporter lab-rack.7. */
export const labRack7Drivers = {
  export: {
    board: { type: "Qemu" },
    uboot: {
      type: "UbootConsole",
      children: { power: { ref: "board.power" }, serial: { ref: "board.console" } },
    },
    bench: {
      children: {
        "mains-switch": { type: "MockPower" },
        scripts: { type: "Shell", config: { methods: { flash: {}, reset: {} } } },
      },
    },
  },
} as const;

/** The client tree of exporter lab-rack.7. */
export type LabRack7Client = ClientTreeOf<typeof labRack7Drivers>;
`);
    // The scripts, and what they carry, stay in the YAML.
    expect(text).not.toMatch(/secret|s3cret|curl/);
  });
});

describe("descriptionNames", () => {
  test.each([
    ["mock-board", "mockBoardDrivers", "MockBoardClient"],
    ["RPi4_lab", "rPi4LabDrivers", "RPi4LabClient"],
    ["7-segment", "board7SegmentDrivers", "Board7SegmentClient"],
    ["---", "boardDrivers", "BoardClient"],
  ])("exporter %s → %s and %s", (name, value, type) => {
    expect(descriptionNames(name)).toEqual({ value, type });
  });
});
