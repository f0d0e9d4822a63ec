import type { z } from "zod";
import type { Driver, DriverInit } from "./driver.ts";

export interface CreateContext {
  /** uuid, labels, description, methods_description and the already-built children. */
  init: DriverInit;
  /** The directory of the config file, for config paths relative to it. */
  configDir: string;
}

export interface DriverTypeSpec<Schema extends z.ZodType = z.ZodType> {
  /** Our own name for the type, e.g. `MockPower`. */
  id: string;
  /** Other names that select it, e.g. Jumpstarter's `jumpstarter_driver_power.driver.MockPower`. */
  aliases?: readonly string[];
  /** One line for `dutkit drivers`. */
  summary: string;
  /** Schema of the `config` map; unknown keys must be rejected (use a strict object). */
  config: Schema;
  /** Which children the type takes: none (default), any, and which names must be there. */
  children?: { accepts: "none" | "any"; required?: readonly string[] };
  /** Children the driver makes itself (a QEMU board's `power` and `console`); refs may point at them. */
  provides?: readonly string[];
  create(config: z.output<Schema>, context: CreateContext): Driver | Promise<Driver>;
  /**
   * The part of a config that the type's client type reads (its `DriverClients<Config>` entry),
   * when it reads any: `dutkit types` writes only this into the description it generates, so
   * scripts and secrets stay out of it. Values the client type does not read may be placeholders.
   */
  typedConfig?(config: z.output<Schema>): Record<string, unknown>;
}

/**
 * Maps driver type names to the client type a test gets for them. Each driver module adds its
 * names by declaration merging; `Config` is the entry's `config` map, so a client type can
 * depend on it (the Shell client's methods come from its configured method names).
 */
// biome-ignore lint/correctness/noUnusedVariables: Config is used by the declarations merged into this one.
// biome-ignore lint/suspicious/noEmptyInterface: driver modules add to it by declaration merging.
export interface DriverClients<Config> {}

const types = new Map<string, DriverTypeSpec>();

export function registerDriverType<S extends z.ZodType>(spec: DriverTypeSpec<S>): void {
  for (const name of [spec.id, ...(spec.aliases ?? [])]) {
    const existing = types.get(name);
    if (existing && existing !== spec) {
      throw new Error(`driver type name "${name}" is already registered by ${existing.id}`);
    }
    types.set(name, spec);
  }
}

export function findDriverType(name: string): DriverTypeSpec | undefined {
  return types.get(name);
}

/** Every registered type once, in registration order. */
export function listDriverTypes(): DriverTypeSpec[] {
  return [...new Set(types.values())];
}
