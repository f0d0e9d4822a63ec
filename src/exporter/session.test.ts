import { PassThrough } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import type { DriverClient } from "../client/client.ts";
import { buildClientTree, StubClient } from "../client/tree.ts";
import type { ExporterConfig } from "../config/types.ts";
import { Driver, type MethodTable } from "../core/driver.ts";
import { CloseError, InvalidArgumentError, NotFoundError, UnknownError } from "../core/errors.ts";
import { registerDriverType } from "../core/registry.ts";
import "../drivers/index.ts";
import type { MockPower, MockPowerClient } from "../drivers/power/index.ts";
import { Session } from "./session.ts";

const closed: string[] = [];

class Probe extends Driver {
  static override readonly clientId = "acme.client.WidgetClient";
  static override readonly methods: MethodTable = {
    echo: { kind: "unary", args: z.tuple([z.unknown().describe("value")]) },
    fail: { kind: "unary", args: z.tuple([z.string().describe("kind")]) },
    count: { kind: "stream", args: z.tuple([z.number().describe("n")]) },
    pipe: { kind: "bytes" },
    badResult: { kind: "unary" },
  };
  constructor(
    private readonly config: { name: string; failClose: boolean },
    init: ConstructorParameters<typeof Driver>[0],
  ) {
    super(init);
  }
  echo(value: unknown) {
    return value;
  }
  fail(kind: string) {
    if (kind === "typed") throw new InvalidArgumentError("bad value");
    throw new Error("plain failure");
  }
  async *count(n: number) {
    for (let i = 0; i < n; i++) yield i;
  }
  pipe() {
    return new PassThrough();
  }
  badResult() {
    return new Date(0);
  }
  override async close() {
    closed.push(this.config.name);
    if (this.config.failClose) throw new Error(`${this.config.name} would not close`);
  }
}

registerDriverType({
  id: "SessionTestProbe",
  summary: "test probe",
  config: z.strictObject({ name: z.string(), failClose: z.boolean().default(false) }),
  children: { accepts: "any" },
  create: (config, { init }) => new Probe(config, init),
});

function config(exportTree: ExporterConfig["export"]): ExporterConfig {
  return {
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ExporterConfig",
    metadata: { name: "t" },
    export: exportTree,
  };
}

let session: Session | undefined;
async function open(exportTree: ExporterConfig["export"]) {
  session = await Session.open({ config: config(exportTree), source: "test", dir: "." });
  return session;
}

afterEach(async () => {
  await session?.close().catch(() => {});
  session = undefined;
  closed.length = 0;
});

describe("Session", () => {
  test("reports the tree pre-order with client and name labels; refs repeat the target's uuid", async () => {
    const s = await open({
      power: { type: "jumpstarter_driver_power.driver.MockPower" },
      group: { children: { alias: { ref: "power" } } },
    });
    const { reports } = await s.report();
    expect(reports.map((r) => r.labels["jumpstarter.dev/name"])).toEqual([
      undefined,
      "power",
      "group",
      "alias",
    ]);
    expect(reports[0]!.parentUuid).toBeUndefined();
    expect(reports[1]!.labels["jumpstarter.dev/client"]).toBe("jumpstarter_driver_power.client.PowerClient");
    expect(reports[3]!.uuid).toBe(reports[1]!.uuid);
    expect(reports[3]!.parentUuid).toBe(reports[2]!.uuid);
    expect(reports[1]!.methodsDescription.on).toBe("Power on");
  });

  test("a client tree built from the report calls through refs", async () => {
    const s = await open({
      power: { type: "MockPower" },
      group: { children: { alias: { ref: "power" } } },
    });
    const client = buildClientTree(await s.report(), s) as DriverClient & Record<string, any>;
    await (client.group.alias as MockPowerClient).on();
    expect(await (client.power as MockPowerClient).state()).toBe("on");
  });

  test("arguments and results cross the boundary as JSON copies", async () => {
    const s = await open({ p: { type: "SessionTestProbe", config: { name: "p" } } });
    const uuid = s.driver("p").uuid;
    const arg = { nested: [1, "two"] };
    const result = await s.call(uuid, "echo", [arg]);
    expect(result).toEqual(arg);
    expect(result).not.toBe(arg);
    await expect(s.call(uuid, "badResult", [])).rejects.toThrow(/result of p.badResult\(\) is a Date/);
  });

  test("errors keep their class or map to the wire status", async () => {
    const s = await open({ p: { type: "SessionTestProbe", config: { name: "p" } } });
    const uuid = s.driver("p").uuid;
    await expect(s.call(uuid, "fail", ["typed"])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(s.call(uuid, "fail", ["plain"])).rejects.toBeInstanceOf(UnknownError);
    await expect(s.call(uuid, "nope", [])).rejects.toThrow(
      /method nope not found on driver p \(methods: echo/,
    );
    await expect(s.call(uuid, "count", [1])).rejects.toThrow(
      /is a stream method; call it with StreamingDriverCall/,
    );
    await expect(s.call("no-such-uuid", "echo", [])).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a call with the wrong arguments is refused before the driver runs, and the session serves on", async () => {
    const s = await open({
      power: { type: "MockPower" },
      p: { type: "SessionTestProbe", config: { name: "p" } },
    });
    const power = s.driver<MockPower>("power");
    await expect(s.call(power.uuid, "on", [1, 2])).rejects.toThrow(
      new InvalidArgumentError("power.on() takes no arguments; got 2"),
    );
    expect(power.calls).toEqual([]);
    const probe = s.driver("p").uuid;
    await expect(s.call(probe, "fail", [])).rejects.toThrow("p.fail() takes 1 argument (kind); got 0");
    await expect(s.call(probe, "fail", [7])).rejects.toThrow(
      /^p\.fail\(\) argument 0 \(kind\): .*expected string/,
    );
    const items = s.streamingCall(probe, "count", ["3"]);
    await expect(items.next()).rejects.toThrow(/p\.count\(\) argument 0 \(n\)/);
    await s.call(power.uuid, "on", []);
    expect(power.calls.map((c) => c.method)).toEqual(["on"]);
  });

  test("streams yield each item; byte streams return a duplex", async () => {
    const s = await open({ p: { type: "SessionTestProbe", config: { name: "p" } } });
    const uuid = s.driver("p").uuid;
    const items = [];
    for await (const item of s.streamingCall(uuid, "count", [3])) items.push(item);
    expect(items).toEqual([0, 1, 2]);
    const duplex = await s.byteStream(uuid, "pipe");
    duplex.end("bytes");
    const chunks = [];
    for await (const chunk of duplex) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe("bytes");
  });

  test("close closes every driver once, deepest first, and reports all failures", async () => {
    const s = await open({
      outer: {
        type: "SessionTestProbe",
        config: { name: "outer", failClose: true },
        children: { inner: { type: "SessionTestProbe", config: { name: "inner", failClose: true } } },
      },
      last: { type: "SessionTestProbe", config: { name: "last" } },
      alias: { ref: "outer.inner" },
    });
    const error = await s.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloseError);
    expect((error as CloseError).errors.map((e) => e.path)).toEqual(["outer.inner", "outer"]);
    expect(closed).toEqual(["inner", "outer", "last"]);
    await expect(s.call(s.driver("last").uuid, "echo", [1])).rejects.toThrow(/session is closed/);
  });

  test("a driver without a client of ours becomes a stub that says so", async () => {
    const s = await open({ p: { type: "SessionTestProbe", config: { name: "p" } } });
    const client = buildClientTree(await s.report(), s) as DriverClient & Record<string, any>;
    expect(client.p).toBeInstanceOf(StubClient);
    expect(() => client.p.anything()).toThrow(/dutkit has no client for driver "p"/);
    expect(await client.p.call("echo", "direct")).toBe("direct");
  });
});
