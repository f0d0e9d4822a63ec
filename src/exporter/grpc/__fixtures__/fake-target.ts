import { EventEmitter } from "node:events";
import { Duplex, PassThrough, Writable } from "node:stream";
import {
  driverErrorFor,
  type GrpcStatusName,
  InvalidArgumentError,
  NotFoundError,
} from "../../../core/errors.ts";
import { type OpenedResource, ResourceTable } from "../../../core/resource.ts";
import type { ExporterReport, Transport } from "../../../core/transport.ts";
import { assertJsonValue, type JsonValue } from "../../../core/value.ts";

export const ROOT = "00000000-0000-4000-8000-000000000001";
export const POWER = "00000000-0000-4000-8000-000000000002";
export const SERIAL = "00000000-0000-4000-8000-000000000003";

/** How many items the `forever` stream yields at most; a test that stops early sees fewer. */
export const FOREVER_LIMIT = 100_000;

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Like a Session, the target checks what arrives: the exporter service passes arguments on as decoded. */
function checkArgs(method: string, args: readonly unknown[]): void {
  args.forEach((arg, i) => {
    assertJsonValue(arg, `${method}() argument ${i}`);
  });
}

/**
 * An in-memory exporter session for transport tests: a root with two children, unary methods that
 * echo or throw, streaming methods, and byte streams (echo, greet, count, held sink).
 */
export class FakeTarget implements Transport {
  /** Resolves with the number of items `forever` yielded, once its generator has stopped. */
  readonly foreverStopped = deferred<number>();
  /** Emits "echo-closed" whenever the exporter side of an `echo` byte stream closes. */
  readonly events = new EventEmitter();
  /** Resource streams opened to the serial driver, for tests to take as a driver call would. */
  readonly serialResources = new ResourceTable();
  /** The `held` sink: bytes it has taken in, and a switch that lets it start taking them. */
  heldBytes = 0;
  readonly releaseHeld = deferred<void>();
  closed = false;

  async report(): Promise<ExporterReport> {
    return {
      uuid: ROOT,
      labels: { "jumpstarter.dev/name": "fake" },
      reports: [
        {
          uuid: ROOT,
          labels: { "jumpstarter.dev/client": "jumpstarter_driver_composite.client.CompositeClient" },
          description: "the board",
          methodsDescription: {},
        },
        {
          uuid: POWER,
          parentUuid: ROOT,
          labels: { "jumpstarter.dev/client": "dutkit.DriverClient", "jumpstarter.dev/name": "power" },
          methodsDescription: { echo: "returns its arguments", fail: "throws the named error" },
        },
        {
          uuid: SERIAL,
          parentUuid: ROOT,
          labels: { "jumpstarter.dev/client": "dutkit.DriverClient", "jumpstarter.dev/name": "serial" },
          description: "a loopback port",
          methodsDescription: {},
        },
      ],
    };
  }

  async call(uuid: string, method: string, args: JsonValue[]): Promise<JsonValue> {
    if (uuid !== POWER) throw new NotFoundError(`no driver with uuid ${uuid} in this session`);
    checkArgs(method, args);
    switch (method) {
      case "echo":
        return args;
      case "fail":
        throw driverErrorFor(args[0] as GrpcStatusName, `it failed with ${String(args[0])}: ünïcødé ✓`);
      case "crash":
        throw new Error("a plain failure");
      case "nothing":
        return undefined as unknown as JsonValue;
      default:
        throw new NotFoundError(`method ${method} not found on driver power`);
    }
  }

  async *streamingCall(uuid: string, method: string, args: JsonValue[]): AsyncGenerator<JsonValue> {
    if (uuid !== POWER) throw new NotFoundError(`no driver with uuid ${uuid} in this session`);
    checkArgs(method, args);
    if (method === "count") {
      for (let i = 0; i < (args[0] as number); i++) yield i;
      return;
    }
    if (method === "fail-after-one") {
      yield "first";
      throw new InvalidArgumentError("the second item is invalid");
    }
    if (method === "forever") {
      let yielded = 0;
      try {
        const filler = "x".repeat(1024);
        for (; yielded < FOREVER_LIMIT; yielded++) yield { index: yielded, filler };
      } finally {
        this.foreverStopped.resolve(yielded);
      }
      return;
    }
    throw new NotFoundError(`method ${method} not found on driver power`);
  }

  async resource(uuid: string, contentEncoding: string | null): Promise<OpenedResource> {
    if (uuid !== SERIAL) throw new NotFoundError(`no driver with uuid ${uuid} in this session`);
    return this.serialResources.open(contentEncoding);
  }

  async byteStream(uuid: string, method: string): Promise<Duplex> {
    if (uuid !== SERIAL) throw new NotFoundError(`no driver with uuid ${uuid} in this session`);
    switch (method) {
      case "echo": {
        const echo = new PassThrough();
        echo.on("close", () => this.events.emit("echo-closed"));
        return echo;
      }
      case "greet":
        // Says hello and ends its output at once; its input is drained and ignored.
        return Duplex.from({
          readable: Duplex.from(["hello"]),
          writable: new Writable({ write: (_c, _e, cb) => cb() }),
        });
      case "count":
        return countingStream();
      case "held":
        return this.heldSink();
      default:
        throw new NotFoundError(`method ${method} not found on driver serial`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Takes in nothing until `releaseHeld` resolves, then counts; replies with the count at the end. */
  private heldSink(): Duplex {
    const output = new PassThrough();
    const input = new Writable({
      highWaterMark: 1024,
      write: (chunk: Buffer, _encoding, callback) => {
        this.releaseHeld.promise.then(() => {
          this.heldBytes += chunk.length;
          callback();
        });
      },
      final: (callback) => {
        output.end(`held ${this.heldBytes}`);
        callback();
      },
    });
    return Duplex.from({ readable: output, writable: input });
  }
}

/** Counts its input; when the input ends it answers "received N" and ends its output. */
function countingStream(): Duplex {
  let received = 0;
  const output = new PassThrough();
  const input = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback();
    },
    final(callback) {
      output.end(`received ${received}`);
      callback();
    },
  });
  return Duplex.from({ readable: output, writable: input });
}
