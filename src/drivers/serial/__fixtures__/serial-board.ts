import { exporterConfig, openBoard, type TestBoard, type Wire } from "../../../testing/open-board.ts";
import type { SerialClient } from "../index.ts";

/** A board with one PySerial driver named `serial`, and its client, over `wire`. */
export async function openSerialBoard(
  config: Record<string, unknown>,
  wire: Wire,
): Promise<{ board: TestBoard; serial: SerialClient }> {
  const board = await openBoard(
    exporterConfig({ serial: { type: "jumpstarter_driver_pyserial.driver.PySerial", config } }),
    wire,
  );
  return { board, serial: board.client.serial as SerialClient };
}
