import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { GrpcTransport } from "../client/grpc/index.ts";
import { Driver, type MethodTable } from "../core/driver.ts";
import { registerDriverType } from "../core/registry.ts";
import { MockPowerClient } from "../drivers/power/index.ts";
import { exporterConfig, openBoard, WIRES } from "./open-board.ts";

/** A driver whose close() waits until the test lets it go. */
class CloseGate extends Driver {
  static override readonly methods: MethodTable = { ping: { kind: "unary" } };
  static release: () => void = () => {};
  ping(): string {
    return "pong";
  }
  override close(): Promise<void> {
    return new Promise((resolve) => {
      CloseGate.release = resolve;
    });
  }
}
registerDriverType({
  id: "OpenBoardTestCloseGate",
  summary: "a driver whose close() waits for the test (open-board tests)",
  config: z.strictObject({}),
  create: (_config, { init }) => new CloseGate(init),
});

const yaml = `
apiVersion: jumpstarter.dev/v1alpha1
kind: ExporterConfig
metadata: { name: yaml-board }
export:
  power: { type: jumpstarter_driver_power.driver.MockPower }
`;

describe.each(WIRES)("openBoard (%s)", (wire) => {
  test("opens YAML text; the client tree calls through the chosen wire", async () => {
    const board = await openBoard(yaml, wire);
    try {
      expect(board.wire).toBe(wire);
      expect(board.transport instanceof GrpcTransport).toBe(wire === "grpc");
      expect(board.client.power).toBeInstanceOf(MockPowerClient);
      await board.client.power.on();
      expect(await board.client.power.state()).toBe("on");
    } finally {
      await board.close();
    }
  });

  test("opens a YAML file by URL", async () => {
    const board = await openBoard(
      new URL("../../example-tests/mock-board/exporter.yaml", import.meta.url),
      wire,
    );
    try {
      expect(board.session.driver("shell")).toBeDefined();
      expect((await board.client.shell.hello("you")).stdout).toBe("hello you\n");
    } finally {
      await board.close();
    }
  });

  test("close() is idempotent, and afterwards the board's calls fail", async () => {
    const board = await openBoard(exporterConfig({ power: { type: "MockPower" } }), wire);
    const first = board.close();
    expect(board.close()).toBe(first);
    await first;
    await board.close();
    await expect(board.client.power.on()).rejects.toThrow();
    if (board.transport instanceof GrpcTransport) {
      await expect(stat(dirname(board.transport.address))).rejects.toMatchObject({ code: "ENOENT" });
    }
  });

  test("close() is bounded: a driver that never closes fails it, naming the step", async () => {
    const board = await openBoard(exporterConfig({ gate: { type: "OpenBoardTestCloseGate" } }), wire, {
      closeStepMs: 200,
    });
    expect(await board.client.gate.call("ping")).toBe("pong");
    await expect(board.close()).rejects.toThrow(
      /"close the session" did not finish within 200 ms; a driver's close\(\)/,
    );
    CloseGate.release();
  });

  test("a config error rejects with the config's own error", async () => {
    await expect(openBoard(exporterConfig({ power: { type: "NoSuchDriver" } }), wire)).rejects.toMatchObject({
      code: "ERR_DUTKIT_CONFIG",
    });
  });
});
