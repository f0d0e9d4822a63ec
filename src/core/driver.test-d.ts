import type { Duplex } from "node:stream";
import { expectTypeOf } from "expect-type";
import { describe, test } from "vitest";
import type { MethodKindOf, MethodTable, MethodTableOf } from "./driver.ts";

interface ExampleInterface {
  on(): void;
  state(): Promise<"on" | "off">;
  read(): AsyncIterable<{ voltage: number }>;
  connect(): Promise<Duplex>;
  console(): Duplex;
}

describe("MethodKindOf", () => {
  test("derives the kind from the return type", () => {
    expectTypeOf<MethodKindOf<ExampleInterface["on"]>>().toEqualTypeOf<"unary">();
    expectTypeOf<MethodKindOf<ExampleInterface["state"]>>().toEqualTypeOf<"unary">();
    expectTypeOf<MethodKindOf<ExampleInterface["read"]>>().toEqualTypeOf<"stream">();
    expectTypeOf<MethodKindOf<ExampleInterface["connect"]>>().toEqualTypeOf<"bytes">();
    expectTypeOf<MethodKindOf<ExampleInterface["console"]>>().toEqualTypeOf<"bytes">();
  });
});

describe("MethodTableOf", () => {
  test("a table with every method, of the right kind, compiles and is a MethodTable", () => {
    const table = {
      on: { kind: "unary", description: "Power on" },
      state: { kind: "unary" },
      read: { kind: "stream" },
      connect: { kind: "bytes" },
      console: { kind: "bytes" },
    } satisfies MethodTableOf<ExampleInterface>;
    expectTypeOf(table).toExtend<MethodTable>();
  });

  test("a misspelt name does not compile", () => {
    ({
      on: { kind: "unary" },
      state: { kind: "unary" },
      // @ts-expect-error: `raed` is not a method of the interface
      raed: { kind: "stream" },
      connect: { kind: "bytes" },
      console: { kind: "bytes" },
    }) satisfies Partial<MethodTableOf<ExampleInterface>>;
  });

  test("a missing method does not compile", () => {
    ({
      on: { kind: "unary" },
      state: { kind: "unary" },
      read: { kind: "stream" },
      connect: { kind: "bytes" },
      // @ts-expect-error: `console` is missing
    }) satisfies MethodTableOf<ExampleInterface>;
  });

  test("a wrong kind does not compile", () => {
    ({
      on: { kind: "unary" },
      state: { kind: "unary" },
      // @ts-expect-error: read returns an async iterable, so it is a stream method
      read: { kind: "unary" },
      connect: { kind: "bytes" },
      console: { kind: "bytes" },
    }) satisfies MethodTableOf<ExampleInterface>;
  });
});
