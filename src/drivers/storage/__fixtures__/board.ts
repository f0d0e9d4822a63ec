// Opens an exporter config as a board for driver tests: in-process, or served over gRPC on a
// unix socket and reached through the gRPC transport, as a remote client would.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DriverClient } from "../../../client/client.ts";
import { GrpcTransport } from "../../../client/grpc/index.ts";
import { buildClientTree } from "../../../client/tree.ts";
import type { ExporterConfig } from "../../../config/types.ts";
import type { Transport } from "../../../core/transport.ts";
import { serveSession } from "../../../exporter/grpc/index.ts";
import { openLocalSession } from "../../../exporter/local.ts";
import type { Session } from "../../../exporter/session.ts";

export type Wire = "in-process" | "grpc";

export interface TestBoard {
  session: Session;
  client: DriverClient & Record<string, any>;
  /** What the client calls through: the session itself, or the gRPC transport. */
  transport: Transport;
  close(): Promise<void>;
}

export function exporterConfig(exports: ExporterConfig["export"]): ExporterConfig {
  return {
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ExporterConfig",
    metadata: { name: "t" },
    export: exports,
  };
}

export async function openBoard(config: ExporterConfig, wire: Wire): Promise<TestBoard> {
  const session = await openLocalSession(config);
  if (wire === "in-process") {
    const client = buildClientTree(await session.report(), session) as TestBoard["client"];
    return { session, client, transport: session, close: () => session.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), "dutkit-board-"));
  const served = await serveSession(session, { listen: join(dir, "exporter.sock") });
  const transport = await GrpcTransport.connect(served.address);
  const client = buildClientTree(await transport.report(), transport) as TestBoard["client"];
  return {
    session,
    client,
    transport,
    close: async () => {
      await transport.close();
      await served.close();
      await session.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
