import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { DriverClient } from "../../client/client.ts";
import { checkResult } from "../../core/contract.ts";
import { InvalidArgumentError } from "../../core/errors.ts";
import { PowerCall, PowerState, WirePowerReading } from "./contract.ts";

export interface PowerReading {
  voltage: number;
  current: number;
  /** voltage × current, computed on the client. */
  apparentPower: number;
}

/** Client of any power driver (Jumpstarter `PowerClient`). */
export class PowerClient extends DriverClient {
  async on(): Promise<void> {
    await this.call("on");
  }

  async off(): Promise<void> {
    await this.call("off");
  }

  /** Off, wait `waitSeconds` (default 2, as Jumpstarter's `cycle`), on. */
  async cycle(waitSeconds = 2): Promise<void> {
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
      throw new InvalidArgumentError(`power.cycle(${waitSeconds}): the wait must be a number of seconds ≥ 0`);
    }
    await this.off();
    await sleep(waitSeconds * 1000);
    await this.on();
  }

  /** Power readings as the driver streams them. */
  async *read(): AsyncGenerator<PowerReading> {
    for await (const value of this.streamingCall("read")) {
      const { voltage, current } = checkResult(WirePowerReading, value, this.path, "read");
      yield { voltage, current, apparentPower: voltage * current };
    }
  }
}

/** Client of `MockPower`: the power API plus what a test wants to assert on. */
export class MockPowerClient extends PowerClient {
  /** Every on/off/read the driver received, oldest first. */
  async history(): Promise<PowerCall[]> {
    return checkResult(z.array(PowerCall), await this.call("history"), this.path, "history");
  }

  async state(): Promise<PowerState> {
    return checkResult(PowerState, await this.call("state"), this.path, "state");
  }
}
