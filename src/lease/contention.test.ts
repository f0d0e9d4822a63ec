import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { Client, credentials, status as GrpcCode, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClientTree } from "../client/tree.ts";
import { type Lab, startLab } from "../controller/__fixtures__/lab.ts";
import { NAME_LABEL } from "../core/transport.ts";
import { LeaseClient, LeaseError } from "./lease-client.ts";

let lab: Lab;
const CLIENTS = Array.from({ length: 20 }, (_, i) => `c${i}`);
beforeAll(async () => {
  lab = await startLab({
    clients: CLIENTS,
    exporters: { "board-a": { board: "mock" }, "board-b": { board: "mock" } },
  });
  await lab.startExporter("board-a");
  await lab.startExporter("board-b");
});
afterAll(() => lab?.close());

describe("20 clients contending for 2 exporters", () => {
  it("never has two holders of one exporter; each gets a lease or a clear timeout", async () => {
    // The controller's view: checked on every change of its book.
    const book = lab.controller.book;
    let doubleHeld = "";
    const check = () => {
      const active = book.leases().filter((l) => l.exporter && !l.ended);
      const exporters = active.map((l) => l.exporter);
      if (new Set(exporters).size !== exporters.length) doubleHeld = JSON.stringify(active);
    };
    book.events.on("changed", check);
    // The clients' view: who is using each board right now.
    const using = new Map<string, string>();
    const outcomes = await Promise.all(
      CLIENTS.map(async (name) => {
        const leases = new LeaseClient(lab.clientConfig(name));
        try {
          const held = await leases.acquire({
            selector: "board=mock",
            durationS: 60,
            pollMs: 20,
            acquisitionTimeoutS: 60,
          });
          const other = using.get(held.exporterName);
          using.set(held.exporterName, name);
          const transport = await held.connect();
          const client = buildClientTree(await transport.report(), transport) as any;
          await client.power.on();
          await client.power.off();
          if (using.get(held.exporterName) !== name) doubleHeld ||= `${held.exporterName} taken from ${name}`;
          using.delete(held.exporterName);
          await transport.close();
          await held.release();
          return other ? `double: ${other} and ${name}` : "leased";
        } catch (error) {
          if (error instanceof LeaseError && /timed out/.test(error.message)) return "timeout";
          throw error;
        } finally {
          leases.close();
        }
      }),
    );
    book.events.off("changed", check);
    expect(doubleHeld).toBe("");
    expect(outcomes.filter((o) => o !== "leased" && o !== "timeout")).toEqual([]);
    expect(outcomes.filter((o) => o === "leased").length).toBeGreaterThan(0);
    const used = new Set(book.leases().map((l) => l.exporter));
    expect(used).toEqual(new Set(["board-a", "board-b"]));
  }, 120_000);
});

describe("malformed DriverCall arguments through the router", () => {
  it("answer INVALID_ARGUMENT and the exporter keeps serving", async () => {
    const leases = new LeaseClient(lab.clientConfig("c0"));
    const held = await leases.acquire({ selector: "board=mock", durationS: 60, pollMs: 20 });
    const tunnel = await held.openTunnel();
    const transport = await held.connect();
    const raw = new Client(`unix:${tunnel.path}`, credentials.createInsecure());
    try {
      const report = await transport.report();
      const power = report.reports.find((r) => r.labels[NAME_LABEL] === "power")!.uuid;
      // uuid (1), method (2), one args entry (3) that is an empty google.protobuf.Value.
      const request = new BinaryWriter()
        .uint32(10)
        .string(power)
        .uint32(18)
        .string("on")
        .uint32(26)
        .bytes(new Uint8Array());
      const error = await new Promise<ServiceError | null>((resolve) => {
        raw.makeUnaryRequest(
          "/jumpstarter.v1.ExporterService/DriverCall",
          (bytes: Uint8Array) => Buffer.from(bytes),
          (bytes: Buffer) => bytes,
          request.finish(),
          (e) => resolve(e),
        );
      });
      expect(error?.code).toBe(GrpcCode.INVALID_ARGUMENT);
      const client = buildClientTree(report, transport) as any;
      await client.power.on();
      expect((await client.shell.hello("still")).stdout).toBe("hello still\n");
    } finally {
      raw.close();
      await transport.close();
      await held.release();
      leases.close();
    }
  });
});
