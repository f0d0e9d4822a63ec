import type { Duplex } from "node:stream";
import type { LoadedExporterConfig } from "../config/types.ts";
import { checkArguments } from "../core/arguments.ts";
import type { Driver, MethodKind, MethodSpec } from "../core/driver.ts";
import { isErrorCode } from "../core/error-codes.ts";
import {
  CloseError,
  CodedError,
  DriverError,
  DutkitError,
  driverErrorFor,
  FailedPreconditionError,
  messageOf,
  NotFoundError,
  statusOfThrown,
} from "../core/errors.ts";
import type { OpenedResource } from "../core/resource.ts";
import type { DriverReport, ExporterReport, Transport } from "../core/transport.ts";
import { CLIENT_LABEL, DUTKIT_CLIENT_LABEL, DUTKIT_EXPORTER_LABEL, NAME_LABEL } from "../core/transport.ts";
import { type JsonValue, resultToWire, toWire } from "../core/value.ts";
import { buildDriverTree, type DriverTree } from "./build.ts";
import { DriverStream } from "./driver-stream.ts";

const rpcOfKind: Record<MethodKind, string> = {
  unary: "DriverCall",
  stream: "StreamingDriverCall",
  bytes: "a byte stream (RouterService.Stream)",
};

/**
 * One exporter session: a fresh driver tree and the methods it offers. It implements `Transport`, so an in-process client calls it directly, and the gRPC
 * server serves it unchanged. Closing it closes every driver, deepest first.
 */
export class Session implements Transport {
  readonly name: string;
  readonly labels: Record<string, string>;
  private readonly tree: DriverTree;
  private readonly byUuid = new Map<string, { driver: Driver; path: string }>();
  private closed: Promise<void> | undefined;

  private constructor(loaded: LoadedExporterConfig, tree: DriverTree) {
    this.name = loaded.config.metadata.name;
    this.labels = { ...loaded.config.metadata.labels };
    this.tree = tree;
    this.walk((driver, path) => {
      if (!this.byUuid.has(driver.uuid)) this.byUuid.set(driver.uuid, { driver, path });
    });
  }

  static async open(loaded: LoadedExporterConfig): Promise<Session> {
    return new Session(loaded, await buildDriverTree(loaded));
  }

  get root(): Driver {
    return this.tree.root;
  }

  /** The driver at a dotted path (`power`, `board.serial`), following refs. */
  driver<D extends Driver = Driver>(path: string): D {
    let driver = this.tree.root;
    for (const name of path ? path.split(".") : []) {
      const child = driver.children[name];
      if (!child) {
        const known = Object.keys(driver.children).join(", ") || "none";
        throw new NotFoundError(`no driver at "${path}": "${name}" is not a child (children: ${known})`);
      }
      driver = child;
    }
    return driver as D;
  }

  async report(): Promise<ExporterReport> {
    const reports: DriverReport[] = [];
    const visit = (driver: Driver, parent: Driver | undefined, name: string | undefined, depth: number) => {
      if (depth > 64) throw new DutkitError("ERR_DUTKIT_CONFIG", "the driver tree has a ref cycle");
      const cls = driver.driverClass;
      const labels: Record<string, string> = { ...driver.labels, [CLIENT_LABEL]: cls.clientId };
      if (cls.dutkitClientId) labels[DUTKIT_CLIENT_LABEL] = cls.dutkitClientId;
      if (name !== undefined) labels[NAME_LABEL] = name;
      // The driver's own descriptions (from config, such as Shell methods) win over the class's.
      const methodsDescription: Record<string, string> = { ...driver.methodsDescription };
      for (const [method, spec] of Object.entries(cls.methods)) {
        if (!methodsDescription[method] && spec.description) methodsDescription[method] = spec.description;
      }
      reports.push({
        uuid: driver.uuid,
        ...(parent ? { parentUuid: parent.uuid } : {}),
        labels,
        ...(driver.description !== undefined ? { description: driver.description } : {}),
        methodsDescription,
      });
      for (const [childName, child] of Object.entries(driver.children))
        visit(child, driver, childName, depth + 1);
    };
    visit(this.tree.root, undefined, undefined, 0);
    return {
      uuid: this.tree.root.uuid,
      labels: { ...this.labels, [NAME_LABEL]: this.name, [DUTKIT_EXPORTER_LABEL]: "dutkit" },
      reports,
    };
  }

  async call(uuid: string, method: string, args: JsonValue[]): Promise<JsonValue> {
    const { driver, path, fn } = this.resolve(uuid, method, "unary", args);
    try {
      const result = await fn.apply(driver, this.copyArgs(args, path, method));
      return resultToWire(result, `result of ${path || "(root)"}.${method}()`);
    } catch (error) {
      throw this.asDriverError(error);
    }
  }

  async *streamingCall(uuid: string, method: string, args: JsonValue[]): AsyncGenerator<JsonValue> {
    const { driver, path, fn } = this.resolve(uuid, method, "stream", args);
    try {
      const iterable = (await fn.apply(driver, this.copyArgs(args, path, method))) as AsyncIterable<unknown>;
      let index = 0;
      for await (const item of iterable) {
        yield toWire(item, `item ${index++} of ${path || "(root)"}.${method}()`);
      }
    } catch (error) {
      throw this.asDriverError(error);
    }
  }

  /** The driver's duplex, failing with the typed errors a gRPC client gets (`DriverStream`). */
  async byteStream(uuid: string, method: string): Promise<Duplex> {
    const { driver, fn } = this.resolve(uuid, method, "bytes", []);
    let duplex: Duplex;
    try {
      duplex = (await fn.apply(driver, [])) as Duplex;
    } catch (error) {
      throw this.asDriverError(error);
    }
    return new DriverStream(duplex);
  }

  async resource(uuid: string, contentEncoding: string | null): Promise<OpenedResource> {
    if (this.closed) throw new FailedPreconditionError("the exporter session is closed; open a new one");
    const found = this.byUuid.get(uuid);
    if (!found) throw new NotFoundError(`no driver with uuid ${uuid} in this session`);
    return found.driver.resources.open(contentEncoding);
  }

  /** Closes every driver once, deepest first; all failures are reported together. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const errors: { path: string; error: unknown }[] = [];
      const order: { driver: Driver; path: string }[] = [];
      const proxied = new Set(this.tree.proxies.map((p) => `${p.parent.uuid}/${p.name}`));
      const visit = (driver: Driver, path: string) => {
        for (const [name, child] of Object.entries(driver.children)) {
          if (!proxied.has(`${driver.uuid}/${name}`)) visit(child, path ? `${path}.${name}` : name);
        }
        order.push({ driver, path });
      };
      visit(this.tree.root, "");
      for (const { driver, path } of order) {
        try {
          await driver.close();
          driver.resources.close();
        } catch (error) {
          errors.push({ path: path || "(root)", error });
        }
      }
      if (errors.length > 0) throw new CloseError(errors);
    })();
    return this.closed;
  }

  private walk(fn: (driver: Driver, path: string) => void) {
    const visit = (driver: Driver, path: string, depth: number) => {
      if (depth > 64) return;
      fn(driver, path);
      for (const [name, child] of Object.entries(driver.children)) {
        visit(child, path ? `${path}.${name}` : name, depth + 1);
      }
    };
    visit(this.tree.root, "", 0);
  }

  private resolve(uuid: string, method: string, kind: MethodKind, args: readonly JsonValue[]) {
    if (this.closed) throw new FailedPreconditionError("the exporter session is closed; open a new one");
    const found = this.byUuid.get(uuid);
    if (!found) throw new NotFoundError(`no driver with uuid ${uuid} in this session`);
    const { driver, path } = found;
    const spec: MethodSpec | undefined = driver.driverClass.methods[method];
    const fn = (driver as unknown as Record<string, unknown>)[method];
    if (!spec || typeof fn !== "function") {
      const offered = Object.keys(driver.driverClass.methods).join(", ") || "none";
      throw new NotFoundError(
        `method ${method} not found on driver ${path || "(root)"} (methods: ${offered})`,
      );
    }
    if (spec.kind !== kind) {
      throw new NotFoundError(
        `method ${method} of driver ${path || "(root)"} is a ${spec.kind} method; call it with ${rpcOfKind[spec.kind]}`,
      );
    }
    checkArguments(spec.args, args, `${path || "(root)"}.${method}()`);
    return { driver, path, fn: fn as (...args: unknown[]) => unknown };
  }

  private copyArgs(args: JsonValue[], path: string, method: string): JsonValue[] {
    return args.map((arg, i) => toWire(arg, `${path || "(root)"}.${method}() argument ${i}`));
  }

  /** What a driver threw, as the typed error the wire would deliver (spec 2.6 mapping). */
  /**
   * A driver error as it is; anything else gets the class of its status, and a dutkit code it
   * carries (an ExpectTimeoutError inside a driver) stays on it, so the client sees that code.
   */
  private asDriverError(error: unknown): DriverError {
    if (error instanceof DriverError) return error;
    const mapped = driverErrorFor(statusOfThrown(error), messageOf(error), { cause: error });
    if (error instanceof CodedError && isErrorCode(error.code))
      (mapped as { code: string }).code = error.code;
    return mapped;
  }
}
