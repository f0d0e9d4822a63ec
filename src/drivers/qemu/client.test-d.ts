import type { Duplex } from "node:stream";
import { describe, expectTypeOf, test } from "vitest";
import { type ClientTreeOf, defineExporter } from "../../config/define.ts";
import type { PowerClient } from "../power/index.ts";
import type { QemuClient, QemuConsoleClient } from "./index.ts";

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "qemu-types" },
  export: {
    board: { type: "Qemu", config: { arch: "aarch64", bios: "/usr/lib/u-boot/qemu_arm64/u-boot.bin" } },
    upstream: { type: "jumpstarter_driver_qemu.driver.Qemu" },
    serial: { ref: "board.console" },
  },
});
type Tree = ClientTreeOf<typeof exporter>;

describe("Qemu client types", () => {
  test("a Qemu entry has a power and a console child, under either name", () => {
    expectTypeOf<Tree["board"]>().toExtend<QemuClient>();
    expectTypeOf<Tree["board"]["power"]>().toEqualTypeOf<PowerClient>();
    expectTypeOf<Tree["upstream"]["console"]>().toEqualTypeOf<QemuConsoleClient>();
    expectTypeOf<Tree["board"]["console"]["connect"]>().returns.resolves.toEqualTypeOf<Duplex>();
  });
});
