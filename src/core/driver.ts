import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type { ArgumentList } from "./arguments.ts";
import { ResourceTable } from "./resource.ts";

/**
 * How a driver method is offered to clients:
 * - `unary`: one call, one result (DriverCall);
 * - `stream`: a server-streaming call whose method returns an async iterable of values
 *   (StreamingDriverCall);
 * - `bytes`: a byte stream; the method returns a Node duplex (RouterService.Stream).
 */
export type MethodKind = "unary" | "stream" | "bytes";

export interface MethodSpec {
  kind: MethodKind;
  description?: string;
  /** The positional arguments, checked before the method runs; none declared: it takes none. */
  args?: ArgumentList;
}

export type MethodTable = Readonly<Record<string, MethodSpec>>;

/** The kind a method's return type implies: a duplex is `bytes`, an async iterable `stream`, else `unary`. */
export type MethodKindOf<Method> = Method extends (...args: any[]) => infer Result
  ? [Awaited<Result>] extends [Duplex]
    ? "bytes"
    : [Result] extends [AsyncIterable<unknown>]
      ? "stream"
      : "unary"
  : never;

/** The names of the methods of a driver interface. */
export type MethodNamesOf<Interface> = {
  [Name in keyof Interface]-?: Interface[Name] extends (...args: any[]) => unknown ? Name : never;
}[keyof Interface] &
  string;

/**
 * The method table of a driver interface: one entry per method, of the kind its return type
 * implies. `static methods = {...} satisfies MethodTableOf<PowerInterface>` does not compile with
 * a misspelt, extra or missing name, or a wrong kind.
 */
export type MethodTableOf<Interface> = {
  readonly [Name in MethodNamesOf<Interface>]: MethodSpec & { readonly kind: MethodKindOf<Interface[Name]> };
};

export interface DriverInit {
  uuid?: string;
  labels?: Record<string, string>;
  description?: string;
  methodsDescription?: Record<string, string>;
  children?: Record<string, Driver>;
}

/** The static side every driver class has. */
export interface DriverClass {
  new (...args: any[]): Driver;
  /** The Jumpstarter client class this driver reports (`jumpstarter.dev/client`). */
  readonly clientId: string;
  /** Our own richer client, when it differs from the Jumpstarter one (`dutkit.dev/client`). */
  readonly dutkitClientId?: string;
  readonly methods: MethodTable;
}

/**
 * A driver: a thing on the exporter with a uuid, labels, a description and explicitly declared
 * methods. Subclasses set the static `clientId` and `methods`, and override `close()` when they
 * hold resources. Arguments and results of methods are JSON values (see `JsonValue`).
 */
export abstract class Driver {
  /** Drivers without a client class of their own get the plain `DriverClient`. */
  static readonly clientId: string = "dutkit.DriverClient";
  static readonly dutkitClientId?: string;
  static readonly methods: MethodTable = {};

  readonly uuid: string;
  readonly labels: Record<string, string>;
  readonly description: string | undefined;
  readonly methodsDescription: Record<string, string>;
  readonly children: Record<string, Driver>;
  /** Byte pipes a client opened to this driver, waiting for a call to take them (spec 2.7). */
  readonly resources = new ResourceTable();

  constructor(init: DriverInit = {}) {
    this.uuid = init.uuid ?? randomUUID();
    this.labels = { ...init.labels };
    this.description = init.description;
    this.methodsDescription = { ...init.methodsDescription };
    this.children = { ...init.children };
  }

  get driverClass(): DriverClass {
    return this.constructor as DriverClass;
  }

  /** Releases what the driver holds. Called once, after its children are closed. */
  async close(): Promise<void> {}
}

/** A container of named children. Any config entry with only `children` is a Composite. */
export class Composite extends Driver {
  static override readonly clientId: string = "jumpstarter_driver_composite.client.CompositeClient";
}
