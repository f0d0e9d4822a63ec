// Generated in this folder by `dutkit types ./exporter.yaml -o exporter.drivers.ts` from exporter
// mock-board: its drivers, for typed fixtures (boardTest({ ..., drivers: mockBoardDrivers })).
// Do not edit; run it again after changing the YAML (with --check, it says whether that is due).
import type { ClientTreeOf } from "dutkit";

/** The drivers of exporter mock-board. */
export const mockBoardDrivers = {
  export: {
    power: { type: "jumpstarter_driver_power.driver.MockPower" },
    shell: {
      type: "jumpstarter_driver_shell.driver.Shell",
      config: { methods: { hello: {}, uname: {}, fail: {} } },
    },
    board: { children: { switch: { ref: "power" } } },
  },
} as const;

/** The client tree of exporter mock-board. */
export type MockBoardClient = ClientTreeOf<typeof mockBoardDrivers>;
