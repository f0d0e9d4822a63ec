import { z } from "zod";

const command = z.string().min(1, "must be a shell command, e.g. `relayctl 3 on`");

export const CommandPowerConfig = z
  .strictObject({
    cmd_on: command.describe("shell command that powers the board on"),
    cmd_off: command.describe("shell command that powers the board off"),
    cmd_read: command
      .optional()
      .describe(
        "shell command printing one reading per line: `<voltage> <current>`; without it `read` fails",
      ),
    timeout: z.number().positive().default(10).describe("seconds each command may run before it is killed"),
  })
  .describe(
    "CommandPower options (field names as labgrid's ExternalPowerDriver; `on:` would be a YAML boolean)",
  );

export type CommandPowerConfig = z.output<typeof CommandPowerConfig>;
