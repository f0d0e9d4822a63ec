import type { Duplex } from "node:stream";
import { Driver, type DriverInit, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import { NotImplementedError } from "../../core/errors.ts";
import type { PowerInterface, WirePowerReading } from "../power/contract.ts";
import type { QemuConfig } from "./config.ts";
import type { QemuConsoleInterface } from "./contract.ts";
import { QemuMachine } from "./machine.ts";

/** Powers a QEMU board: `on` starts `qemu-system-<arch>`, `off` stops it (SIGTERM, then SIGKILL). */
export class QemuPower extends Driver implements PowerInterface {
  static override readonly clientId = "jumpstarter_driver_power.client.PowerClient";
  static override readonly methods: MethodTable = {
    on: { kind: "unary", description: "Start QEMU (nothing happens if it runs)" },
    off: { kind: "unary", description: "Stop QEMU: SIGTERM, SIGKILL after stop_timeout" },
    read: { kind: "stream", description: "Not available: a virtual board has no power meter" },
  } satisfies MethodTableOf<PowerInterface>;

  constructor(
    readonly machine: QemuMachine,
    init?: DriverInit,
  ) {
    super(init);
  }

  async on(): Promise<void> {
    await this.machine.on();
  }

  async off(): Promise<void> {
    await this.machine.off();
  }

  // biome-ignore lint/correctness/useYield: it fails before yielding anything, by design.
  async *read(): AsyncGenerator<WirePowerReading> {
    throw new NotImplementedError(
      "a QEMU board has no power meter, so power.read() has nothing to report; use on/off/cycle",
    );
  }

  override async close(): Promise<void> {
    await this.machine.off();
  }
}

/** The board's first serial port as a byte stream (Jumpstarter exposes it as a PySerial `console`). */
export class QemuConsole extends Driver implements QemuConsoleInterface {
  static override readonly clientId = "jumpstarter_driver_pyserial.client.PySerialClient";
  static override readonly dutkitClientId = "dutkit.QemuConsoleClient";
  static override readonly methods: MethodTable = {
    connect: { kind: "bytes", description: "The serial console as a byte stream" },
  } satisfies MethodTableOf<QemuConsoleInterface>;

  constructor(
    readonly machine: QemuMachine,
    init?: DriverInit,
  ) {
    super(init);
  }

  connect(): Duplex {
    return this.machine.console.open();
  }

  override async close(): Promise<void> {
    this.machine.console.close();
  }
}

/**
 * A QEMU virtual board (Jumpstarter `Qemu`): a composite whose children `power` and `console`
 * it makes itself. Closing it powers QEMU off; QEMU also dies with the exporter's process.
 */
export class Qemu extends Driver {
  static override readonly clientId = "jumpstarter_driver_qemu.client.QemuClient";
  readonly machine: QemuMachine;

  constructor(config: QemuConfig, configDir: string, init: DriverInit = {}) {
    const machine = new QemuMachine(config, configDir);
    super({
      ...init,
      children: {
        ...init.children,
        power: new QemuPower(machine, { description: "QEMU power" }),
        console: new QemuConsole(machine, { description: "QEMU serial console" }),
      },
    });
    this.machine = machine;
  }

  override async close(): Promise<void> {
    await this.machine.close();
  }
}
