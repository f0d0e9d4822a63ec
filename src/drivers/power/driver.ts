import { Driver, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import type { MockPowerConfig } from "./config.ts";
import type { MockPowerInterface, PowerCall, PowerState, WirePowerReading } from "./contract.ts";

/**
 * A power switch that switches nothing: it remembers what it was told. `read` yields
 * (0 V, 0 A) then the configured reading, like Jumpstarter's MockPower.
 */
export class MockPower extends Driver implements MockPowerInterface {
  static override readonly clientId = "jumpstarter_driver_power.client.PowerClient";
  static override readonly dutkitClientId = "dutkit.MockPowerClient";
  static override readonly methods: MethodTable = {
    on: { kind: "unary", description: "Power on" },
    off: { kind: "unary", description: "Power off" },
    read: { kind: "stream", description: "Stream power readings {voltage, current}" },
    history: { kind: "unary", description: "Calls received so far (mock only)" },
    state: { kind: "unary", description: "on, off or unknown (mock only)" },
  } satisfies MethodTableOf<MockPowerInterface>;

  readonly calls: PowerCall[] = [];
  private powered: PowerState = "unknown";

  constructor(
    private readonly config: MockPowerConfig,
    init: ConstructorParameters<typeof Driver>[0],
  ) {
    super(init);
  }

  on(): void {
    this.record("on");
    this.powered = "on";
  }

  off(): void {
    this.record("off");
    this.powered = "off";
  }

  async *read(): AsyncGenerator<WirePowerReading> {
    this.record("read");
    yield { voltage: 0, current: 0 };
    yield { voltage: this.config.voltage, current: this.config.current };
  }

  history(): PowerCall[] {
    return this.calls;
  }

  state(): PowerState {
    return this.powered;
  }

  private record(method: PowerCall["method"]) {
    this.calls.push({ method, at: new Date().toISOString() });
  }
}
