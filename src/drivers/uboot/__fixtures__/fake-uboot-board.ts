// A test-only board around FakeUboot, for the UbootConsole client tests: children `power`
// (on prints the banner) and `console` (a byte stream onto the fake's UART). Registered as
// the driver type "FakeUbootBoard" when imported.
import { Duplex } from "node:stream";
import { z } from "zod";
import { Driver, type DriverInit, type MethodTable } from "../../../core/driver.ts";
import { registerDriverType } from "../../../core/registry.ts";
import { FakeUboot } from "./fake-uboot.ts";

class FakeUbootPower extends Driver {
  static override readonly clientId = "jumpstarter_driver_power.client.PowerClient";
  static override readonly methods: MethodTable = { on: { kind: "unary" }, off: { kind: "unary" } };
  constructor(
    private readonly device: FakeUboot,
    init: DriverInit,
  ) {
    super(init);
  }
  on(): void {
    this.device.powerOn();
  }
  off(): void {}
}

class FakeUbootConsole extends Driver {
  static override readonly clientId = "jumpstarter_driver_pyserial.client.PySerialClient";
  static override readonly methods: MethodTable = { connect: { kind: "bytes" } };
  constructor(
    private readonly device: FakeUboot,
    init: DriverInit,
  ) {
    super(init);
  }
  connect(): Duplex {
    const { fromDevice, toDevice } = this.device;
    const onData = (chunk: Buffer) => connection.push(chunk);
    const connection = new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        toDevice.write(chunk, done);
      },
      destroy(error, done) {
        fromDevice.off("data", onData);
        done(error);
      },
    });
    fromDevice.on("data", onData);
    return connection;
  }
}

class FakeUbootBoard extends Driver {
  constructor(options: { keysToStop: number }, init: DriverInit) {
    const device = new FakeUboot(options);
    super({
      ...init,
      children: {
        ...init.children,
        power: new FakeUbootPower(device, { description: "fake U-Boot power" }),
        console: new FakeUbootConsole(device, { description: "fake U-Boot UART" }),
      },
    });
  }
}

registerDriverType({
  id: "FakeUbootBoard",
  summary: "a scripted U-Boot board for tests: children power and console",
  config: z.strictObject({ keysToStop: z.number().int().default(1) }),
  provides: ["power", "console"],
  create: (config, { init }) => new FakeUbootBoard(config, init),
});
