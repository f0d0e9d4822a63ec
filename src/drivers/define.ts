import type { z } from "zod";
import { registerClient } from "../client/client.ts";
import { DutkitError } from "../core/errors.ts";
import { type DriverTypeSpec, registerDriverType } from "../core/registry.ts";

type ClientClass = Parameters<typeof registerClient>[1];

/**
 * Everything about a driver type, in one object: its name and Jumpstarter aliases, its config,
 * how to build it, and its clients. `defineDriver` registers it; `ClientsOf<typeof definition>`
 * gives the `DriverClients` entries, so the names are written once.
 */
export interface DriverDefinition<
  Schema extends z.ZodType,
  Type extends string,
  Alias extends string,
  Client extends ClientClass,
> extends Omit<DriverTypeSpec<Schema>, "id" | "aliases"> {
  /** Our own name for the type, e.g. `MockPower`. */
  type: Type;
  /** Other names that select it, e.g. Jumpstarter's `jumpstarter_driver_power.driver.MockPower`. */
  aliases?: readonly Alias[];
  /** The client a test gets for an entry of this type; one of `clients`. */
  client: Client;
  /**
   * Client classes by the client ids the type's drivers report (`jumpstarter.dev/client` and
   * `dutkit.dev/client`): write the keys as the driver classes' `clientId` / `dutkitClientId`.
   */
  clients: Readonly<Record<string, ClientClass>>;
}

type AnyDefinition = DriverDefinition<z.ZodType, string, string, ClientClass>;

/**
 * The `DriverClients` entries of a definition: every name that selects the type gives `Client`
 * (by default an instance of the definition's `client`). In the driver folder's index.ts:
 * `declare module "../../core/registry.ts" { interface DriverClients<Config> extends ClientsOf<typeof mockPower> {} }`.
 */
export type ClientsOf<Definition extends AnyDefinition, Client = InstanceType<Definition["client"]>> = {
  [Name in Definition["type"] | KnownAliases<Definition>]: Client;
};

/** A definition without `aliases` infers them as `string`; that must not become an index signature. */
type KnownAliases<Definition extends AnyDefinition> = string extends NonNullable<
  Definition["aliases"]
>[number]
  ? never
  : NonNullable<Definition["aliases"]>[number];

/** Registers a driver type with its aliases and client classes; answers the definition for `ClientsOf`. */
export function defineDriver<
  Schema extends z.ZodType,
  const Type extends string,
  const Alias extends string,
  Client extends ClientClass,
>(definition: DriverDefinition<Schema, Type, Alias, Client>): DriverDefinition<Schema, Type, Alias, Client> {
  const { type, aliases, client, clients, ...spec } = definition;
  if (!Object.values(clients).includes(client)) {
    throw new DutkitError(
      "ERR_DUTKIT_DRIVER_DEFINITION",
      `driver type ${type}: its client ${client.name} is not one of its clients by id; add it to clients under the id its driver reports`,
    );
  }
  registerDriverType({ ...spec, id: type, aliases: aliases ?? [] });
  for (const [clientId, cls] of Object.entries(clients)) registerClient(clientId, cls);
  return definition;
}
