import { describe, expectTypeOf, test } from "vitest";
import type { DriverClients } from "../core/registry.ts";
import type { ClientsOf } from "./define.ts";
import { type HttpServerClient, httpServerDriver } from "./http/index.ts";
import type { MockPowerClient, mockPowerDriver } from "./power/index.ts";
import { type QemuBoardClient, qemuDriver } from "./qemu/index.ts";
import { type SerialClient, serialDriver } from "./serial/index.ts";
import { type ShellClient, shellDriver } from "./shell/index.ts";
import { type TftpServerClient, tftpDriver } from "./tftp/index.ts";
import { type UbootConsoleClient, ubootConsoleDriver } from "./uboot/index.ts";

type Known = DriverClients<{ methods: { hello: string } }>;

describe("defineDriver typing", () => {
  test("ClientsOf maps the type and every alias, each written once in the definition, to the client", () => {
    expectTypeOf<ClientsOf<typeof mockPowerDriver>>().toEqualTypeOf<{
      MockPower: MockPowerClient;
      "jumpstarter_driver_power.driver.MockPower": MockPowerClient;
      "jumpstarter_driver_power.driver.SyncMockPower": MockPowerClient;
    }>();
  });

  test("every built-in type and alias is in DriverClients with its client", () => {
    expectTypeOf<Known["jumpstarter_driver_power.driver.SyncMockPower"]>().toEqualTypeOf<MockPowerClient>();
    expectTypeOf<Known["Serial"]>().toEqualTypeOf<SerialClient>();
    expectTypeOf<Known["jumpstarter_driver_pyserial.driver.PySerial"]>().toEqualTypeOf<SerialClient>();
    expectTypeOf<Known["Tftp"]>().toEqualTypeOf<TftpServerClient>();
    expectTypeOf<Known["jumpstarter_driver_http.driver.HttpServer"]>().toEqualTypeOf<HttpServerClient>();
    expectTypeOf<Known["jumpstarter_driver_uboot.driver.UbootConsole"]>().toEqualTypeOf<UbootConsoleClient>();
    expectTypeOf<Known["jumpstarter_driver_qemu.driver.Qemu"]>().toEqualTypeOf<QemuBoardClient>();
  });

  test("a definition can give a client type that depends on the entry's config (Shell)", () => {
    expectTypeOf<Known["jumpstarter_driver_shell.driver.Shell"]>().toEqualTypeOf<ShellClient<"hello">>();
  });

  test("the definitions keep their literal names", () => {
    expectTypeOf(shellDriver.type).toEqualTypeOf<"Shell">();
    expectTypeOf(serialDriver.type).toEqualTypeOf<"Serial">();
    expectTypeOf(tftpDriver.type).toEqualTypeOf<"Tftp">();
    expectTypeOf(httpServerDriver.type).toEqualTypeOf<"HttpServer">();
    expectTypeOf(ubootConsoleDriver.type).toEqualTypeOf<"UbootConsole">();
    expectTypeOf(qemuDriver.type).toEqualTypeOf<"Qemu">();
  });
});
