import { Driver, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import { FailedPreconditionError } from "../../core/errors.ts";
import type { PowerInterface, WirePowerReading } from "../power/contract.ts";
import type { CommandPowerConfig } from "./config.ts";
import { runCommand } from "./run-command.ts";

/** A power switch driven by shell commands (like labgrid's ExternalPowerDriver). */
export class CommandPower extends Driver implements PowerInterface {
  static override readonly clientId = "jumpstarter_driver_power.client.PowerClient";
  static override readonly methods: MethodTable = {
    on: { kind: "unary", description: "Power on (runs `cmd_on`)" },
    off: { kind: "unary", description: "Power off (runs `cmd_off`)" },
    read: { kind: "stream", description: "Stream readings {voltage, current} printed by `cmd_read`" },
  } satisfies MethodTableOf<PowerInterface>;

  constructor(
    private readonly config: CommandPowerConfig,
    init: ConstructorParameters<typeof Driver>[0],
  ) {
    super(init);
  }

  async on(): Promise<void> {
    await runCommand("CommandPower on", this.config.cmd_on, this.config.timeout);
  }

  async off(): Promise<void> {
    await runCommand("CommandPower off", this.config.cmd_off, this.config.timeout);
  }

  async *read(): AsyncGenerator<WirePowerReading> {
    const command = this.config.cmd_read;
    if (!command)
      throw new FailedPreconditionError(
        "CommandPower read: no `cmd_read` command is configured; add one that prints `<voltage> <current>` per line",
      );
    const output = await runCommand("CommandPower read", command, this.config.timeout);
    for (const line of output.split("\n")) {
      if (!line.trim()) continue;
      const fields = line.trim().split(/\s+/).map(Number);
      if (fields.length !== 2 || fields.some((n) => !Number.isFinite(n))) {
        throw new FailedPreconditionError(
          `CommandPower read: \`${command}\` printed "${line.trim()}", expected "<voltage> <current>"`,
        );
      }
      yield { voltage: fields[0] as number, current: fields[1] as number };
    }
  }
}
