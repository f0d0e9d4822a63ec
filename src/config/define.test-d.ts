import { expectTypeOf } from "expect-type";
import { describe, test } from "vitest";
import type { CompositeClient, DriverClient } from "../client/client.ts";
import { type ClientTreeOf, defineExporter } from "./define.ts";
import type { ExporterConfig } from "./types.ts";

interface TestDefPowerClient extends DriverClient {
  on(): Promise<void>;
}
type TestDefShellClient<Methods extends string> = DriverClient & {
  [Name in Methods]: (...args: string[]) => Promise<number>;
};

declare module "../core/registry.ts" {
  interface DriverClients<Config> {
    TestDefPowerX: TestDefPowerClient;
    "test_driver.TestDefPowerX": TestDefPowerClient;
    TestDefShellX: TestDefShellClient<
      Config extends { readonly methods: infer M } ? keyof M & string : never
    >;
  }
}

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "typed" },
  export: {
    power: { type: "TestDefPowerX", config: {} },
    jpower: { type: "test_driver.TestDefPowerX" },
    shell: { type: "TestDefShellX", config: { methods: { greet: "echo hi", reboot: "reboot" } } },
    group: {
      children: {
        power: { type: "TestDefPowerX" },
        inner: { children: { deep: { type: "TestDefPowerX" } } },
      },
    },
    board: {
      type: "TestDefPowerX",
      children: { console: { type: "TestDefShellX", config: { methods: { x: "" } } } },
    },
    alias: { ref: "group.power" },
    aliasOfAlias: { ref: "alias" },
    throughRef: { ref: "groupAlias.inner.deep" },
    groupAlias: { ref: "group" },
    missing: { ref: "group.nope" },
    loopA: { ref: "loopB" },
    loopB: { ref: "loopA" },
    unknown: { type: "NotKnownToTypes" },
  },
});
type Tree = ClientTreeOf<typeof exporter>;

describe("defineExporter", () => {
  test("returns its argument with its literal type, assignable to ExporterConfig", () => {
    expectTypeOf(exporter.export.power.type).toEqualTypeOf<"TestDefPowerX">();
    expectTypeOf(exporter).toExtend<ExporterConfig>();
  });

  test("rejects values that are not an exporter config", () => {
    // @ts-expect-error: apiVersion must be jumpstarter.dev/v1alpha1
    defineExporter({ apiVersion: "v2", kind: "ExporterConfig", metadata: { name: "x" }, export: {} });
    defineExporter({
      apiVersion: "jumpstarter.dev/v1alpha1",
      kind: "ExporterConfig",
      metadata: { name: "x" },
      // @ts-expect-error: type must be a string
      export: { power: { type: 42 } },
    });
  });
});

describe("ClientTreeOf", () => {
  test("the root is a composite with one member per export entry", () => {
    expectTypeOf<Tree>().toExtend<CompositeClient>();
    expectTypeOf<Tree>().toHaveProperty("power");
    expectTypeOf<Tree>().toHaveProperty("unknown");
  });

  test("a typed entry gets the client its type maps to, by id or alias", () => {
    expectTypeOf<Tree["power"]>().toEqualTypeOf<TestDefPowerClient>();
    expectTypeOf<Tree["jpower"]>().toEqualTypeOf<TestDefPowerClient>();
  });

  test("the client type can depend on the entry's config", () => {
    expectTypeOf<Tree["shell"]>().toHaveProperty("greet");
    expectTypeOf<Tree["shell"]["reboot"]>().toEqualTypeOf<(...args: string[]) => Promise<number>>();
    expectTypeOf<Tree["shell"]>().not.toHaveProperty("x");
  });

  test("bare children are a composite of their clients", () => {
    expectTypeOf<Tree["group"]>().toExtend<CompositeClient>();
    expectTypeOf<Tree["group"]["power"]>().toEqualTypeOf<TestDefPowerClient>();
    expectTypeOf<Tree["group"]["inner"]["deep"]>().toEqualTypeOf<TestDefPowerClient>();
  });

  test("a typed entry's children are members of its client", () => {
    expectTypeOf<Tree["board"]>().toExtend<TestDefPowerClient>();
    expectTypeOf<Tree["board"]["console"]>().toHaveProperty("x");
  });

  test("a ref gets the client of the driver it names, through other refs", () => {
    expectTypeOf<Tree["alias"]>().toEqualTypeOf<TestDefPowerClient>();
    expectTypeOf<Tree["aliasOfAlias"]>().toEqualTypeOf<TestDefPowerClient>();
    expectTypeOf<Tree["throughRef"]>().toEqualTypeOf<TestDefPowerClient>();
    expectTypeOf<Tree["groupAlias"]["power"]>().toEqualTypeOf<TestDefPowerClient>();
  });

  test("what cannot be resolved is a plain DriverClient", () => {
    expectTypeOf<Tree["missing"]>().toEqualTypeOf<DriverClient>();
    expectTypeOf<Tree["loopA"]>().toEqualTypeOf<DriverClient>();
    expectTypeOf<Tree["unknown"]>().toEqualTypeOf<DriverClient>();
  });

  test("a config typed only as ExporterConfig gives an open tree", () => {
    expectTypeOf<ClientTreeOf<ExporterConfig>>().toExtend<CompositeClient>();
    expectTypeOf<ClientTreeOf<ExporterConfig>["anything"]>().toBeAny();
  });
});
