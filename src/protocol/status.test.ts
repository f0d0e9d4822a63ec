import { describe, expect, it } from "vitest";
import { ExporterStatus } from "./gen/jumpstarter/v1/common.ts";
import { exporterStatusFromWire, exporterStatusToWire } from "./status.ts";

describe("exporter status names", () => {
  it("map to the wire numbers of spec 1.2 and back", () => {
    expect(exporterStatusToWire("LEASE_READY")).toBe(4);
    expect(exporterStatusToWire("AFTER_LEASE_HOOK_FAILED")).toBe(7);
    expect(exporterStatusFromWire(ExporterStatus.EXPORTER_STATUS_AVAILABLE)).toBe("AVAILABLE");
  });

  it("read numbers from a newer peer as UNSPECIFIED", () => {
    expect(exporterStatusFromWire(42 as ExporterStatus)).toBe("UNSPECIFIED");
  });
});
