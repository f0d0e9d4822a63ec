import type { CompositeClient, DriverClient } from "../client/client.ts";
import type { DriverClients } from "../core/registry.ts";
import type { CompositeEntry, ExporterConfig, RefEntry, TypedDriverEntry } from "./types.ts";

/** The driver type names the type system knows (from imported driver modules), or any other name. */
export type DriverTypeName = keyof DriverClients<unknown> | (string & {});

export interface TypedEntryDefinition extends TypedDriverEntry {
  type: DriverTypeName;
  children?: Record<string, EntryDefinition>;
}

export interface CompositeEntryDefinition extends CompositeEntry {
  children: Record<string, EntryDefinition>;
}

export type EntryDefinition = TypedEntryDefinition | CompositeEntryDefinition | RefEntry;

/** An ExporterConfig written in TypeScript. */
export interface ExporterDefinition extends ExporterConfig {
  export: Record<string, EntryDefinition>;
}

/**
 * The drivers of a board, for types and fixtures only: what `dutkit types <exporter.yaml>`
 * generates, or a `defineExporter` config. `ClientTreeOf` gives its client tree.
 */
export interface DriversDescription {
  readonly export: Readonly<Record<string, EntryDefinition>>;
}

/**
 * An exporter config in TypeScript. The value is returned unchanged (it is checked like a YAML
 * config when a session is built from it); its type keeps the literal driver types and config
 * values, so `ClientTreeOf<typeof exporter>` is the exact client tree.
 */
export function defineExporter<const C extends ExporterDefinition>(config: C): C {
  return config;
}

// Type-level recursion is bounded: refs may form loops, which the runtime check rejects.
type Depth = readonly unknown[];
type MaxDepth = 12;
type Deeper<D extends Depth> = [...D, unknown];

type ConfigOf<E> = E extends { readonly config: infer Config } ? Config : Record<string, never>;

type TypedClient<T extends string, Config> = T extends keyof DriverClients<Config>
  ? DriverClients<Config>[T]
  : DriverClient;

type ChildClients<Entries, Root, D extends Depth> = {
  readonly [Name in keyof Entries]: EntryClient<Entries[Name], Root, D>;
};

type ChildrenOf<E> = E extends { readonly children: infer Children } ? Children : Record<string, never>;

/** The entries below an entry, looking through a ref to the entry it names. */
type ChildEntriesOf<E, Root, D extends Depth> = D["length"] extends MaxDepth
  ? Record<string, never>
  : E extends { readonly ref: infer Path extends string }
    ? ChildEntriesOf<EntryAt<Root, Path, Root, Deeper<D>>, Root, Deeper<D>>
    : ChildrenOf<E>;

/** The entry at a dotted path from `Entries` (`undefined` when there is none). */
type EntryAt<Entries, Path extends string, Root, D extends Depth> = D["length"] extends MaxDepth
  ? undefined
  : Path extends `${infer Head}.${infer Rest}`
    ? Head extends keyof Entries
      ? EntryAt<ChildEntriesOf<Entries[Head], Root, D>, Rest, Root, Deeper<D>>
      : undefined
    : Path extends keyof Entries
      ? Entries[Path]
      : undefined;

type RefClient<Root, Path extends string, D extends Depth> = [EntryAt<Root, Path, Root, D>] extends [
  infer Target,
]
  ? [Target] extends [undefined]
    ? DriverClient
    : EntryClient<Target, Root, D>
  : DriverClient;

type EntryClient<E, Root, D extends Depth> = D["length"] extends MaxDepth
  ? DriverClient
  : E extends { readonly ref: infer Path extends string }
    ? RefClient<Root, Path, Deeper<D>>
    : E extends { readonly type: infer T extends string }
      ? TypedClient<T, ConfigOf<E>> &
          (E extends { readonly children: infer Children }
            ? ChildClients<Children, Root, Deeper<D>>
            : unknown)
      : E extends { readonly children: infer Children }
        ? CompositeClient & ChildClients<Children, Root, Deeper<D>>
        : DriverClient;

/**
 * The client tree of a `defineExporter` config: the root is a CompositeClient with one property
 * per `export` entry; a typed entry gets `DriverClients<config>[type]` (plus its children), a
 * group gets a CompositeClient with its children, and a ref the client of the driver it names.
 * Names the type system cannot resolve give a plain DriverClient.
 */
export type ClientTreeOf<C> = C extends { readonly export: infer Entries }
  ? string extends keyof Entries
    ? CompositeClient & Record<string, any>
    : CompositeClient & ChildClients<Entries, Entries, []>
  : CompositeClient & Record<string, any>;
