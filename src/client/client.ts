import type { Duplex } from "node:stream";
import { DriverError, DutkitError } from "../core/errors.ts";
import type { DriverReport, Transport } from "../core/transport.ts";
import { type JsonValue, toWire } from "../core/value.ts";
import { rebuildDriverError } from "../core/wire-errors.ts";

export interface ClientInit {
  report: DriverReport;
  /** Dotted path from the root, e.g. `power` or `board.serial`; "" for the root. */
  path: string;
  transport: Transport;
  children: Record<string, DriverClient>;
}

/**
 * The client side of one driver. Subclasses add typed methods on top of `call`,
 * `streamingCall` and `byteStream`. Children are reachable as properties and via `children`.
 */
export class DriverClient {
  readonly uuid: string;
  readonly labels: Record<string, string>;
  readonly description: string | undefined;
  readonly methodsDescription: Record<string, string>;
  readonly path: string;
  readonly children: Record<string, DriverClient>;
  protected readonly transport: Transport;

  constructor(init: ClientInit) {
    this.uuid = init.report.uuid;
    this.labels = init.report.labels;
    this.description = init.report.description;
    this.methodsDescription = init.report.methodsDescription;
    this.path = init.path;
    this.transport = init.transport;
    this.children = init.children;
    for (const [name, child] of Object.entries(init.children)) {
      if (name in this) {
        throw new DutkitError(
          "ERR_DUTKIT_CHILD_NAME",
          `driver "${child.path}" is named like a member of its parent's client (${name}); rename it in the exporter config`,
        );
      }
      Object.defineProperty(this, name, { value: child, enumerable: true });
    }
  }

  /** Calls a unary method. Arguments and result are JSON values. */
  async call(method: string, ...args: unknown[]): Promise<JsonValue> {
    const wireArgs = this.wireArgs(method, args);
    try {
      return await this.transport.call(this.uuid, method, wireArgs);
    } catch (error) {
      throw this.callError(method, error);
    }
  }

  /** Calls a server-streaming method and yields each value. */
  async *streamingCall(method: string, ...args: unknown[]): AsyncGenerator<JsonValue, void, undefined> {
    const wireArgs = this.wireArgs(method, args);
    try {
      yield* this.transport.streamingCall(this.uuid, method, wireArgs);
    } catch (error) {
      throw this.callError(method, error);
    }
  }

  /** Opens a byte-stream method (e.g. a serial port's `connect`) as a Node duplex. */
  async byteStream(method: string): Promise<Duplex> {
    try {
      return await this.transport.byteStream(this.uuid, method);
    } catch (error) {
      throw this.callError(method, error);
    }
  }

  private wireArgs(method: string, args: unknown[]): JsonValue[] {
    return args.map((arg, i) => toWire(arg, `${this.describeMethod(method)} argument ${i}`));
  }

  private describeMethod(method: string): string {
    return this.path ? `${this.path}.${method}()` : `${method}()`;
  }

  /**
   * The same class, code and fields as the transport's error (in-process the session's, over gRPC
   * the one rebuilt from the status), with the method named in front of the driver's message.
   */
  private callError(method: string, error: unknown): unknown {
    if (!(error instanceof DriverError)) return error;
    return rebuildDriverError(error, `${this.describeMethod(method)} failed: ${error.message}`, error);
  }
}

/** A container: its children are its API. */
export class CompositeClient extends DriverClient {}

type ClientClass = new (init: ClientInit) => DriverClient;
const clientClasses = new Map<string, ClientClass>();

export function registerClient(clientId: string, cls: ClientClass): void {
  clientClasses.set(clientId, cls);
}

export function findClientClass(clientId: string | undefined): ClientClass | undefined {
  return clientId === undefined ? undefined : clientClasses.get(clientId);
}

registerClient("dutkit.DriverClient", DriverClient);
registerClient("jumpstarter_driver_composite.client.CompositeClient", CompositeClient);
