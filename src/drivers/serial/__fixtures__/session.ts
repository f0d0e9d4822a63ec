import { buildClientTree } from "../../../client/tree.ts";
import { API_VERSION } from "../../../config/types.ts";
import { Session } from "../../../exporter/session.ts";
import "../index.ts";
import type { SerialClient } from "../client.ts";

/** An exporter session with one Serial driver named `serial`, and its client. */
export async function serialSession(config: Record<string, unknown>): Promise<{
  session: Session;
  serial: SerialClient;
}> {
  const session = await Session.open({
    config: {
      apiVersion: API_VERSION,
      kind: "ExporterConfig",
      metadata: { name: "serial-test" },
      export: { serial: { type: "jumpstarter_driver_pyserial.driver.PySerial", config } },
    },
    source: "<serial test>",
    dir: process.cwd(),
  });
  const root = buildClientTree(await session.report(), session);
  return { session, serial: root.children.serial as SerialClient };
}
