import { z } from "zod";

/** A reading as a power driver sends it (Jumpstarter's `PowerReading`). */
export const WirePowerReading = z.object({ voltage: z.number(), current: z.number() });
export type WirePowerReading = z.output<typeof WirePowerReading>;

/** What `MockPower` was told, as `history()` reports it. */
export const PowerCall = z.object({ method: z.enum(["on", "off", "read"]), at: z.string() });
export type PowerCall = z.output<typeof PowerCall>;

export const PowerState = z.enum(["on", "off", "unknown"]);
export type PowerState = z.output<typeof PowerState>;

/** The methods of any power driver (Jumpstarter's `PowerInterface`). */
export interface PowerInterface {
  on(): void | Promise<void>;
  off(): void | Promise<void>;
  read(): AsyncIterable<WirePowerReading>;
}

/** MockPower: the power methods plus what a test asserts on. */
export interface MockPowerInterface extends PowerInterface {
  history(): PowerCall[];
  state(): PowerState;
}
