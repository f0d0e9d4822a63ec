// A lab on this host for tests: a controller on a temp unix socket, clients and exporters declared
// with tokens, and leased exporters serving the mock board.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadExporterConfig } from "../../config/index.ts";
import "../../drivers/index.ts";
import type { LoadedExporterConfig } from "../../config/types.ts";
import { type LeasedExporter, startLeasedExporter } from "../../exporter/leased/agent.ts";
import type { ClientConfig } from "../../lease/client-config.ts";
import { parseControllerConfig } from "../config.ts";
import { type RunningController, startController } from "../server.ts";

export const MOCK_BOARD = fileURLToPath(
  new URL("../../../example-tests/mock-board/exporter.yaml", import.meta.url),
);

export interface LabOptions {
  /** Exporter names with their labels. */
  exporters?: Record<string, Record<string, string>>;
  clients?: string[];
  /** Reuse a directory (to restart a controller on the same state file). */
  dir?: string;
}

export interface Lab {
  dir: string;
  controller: RunningController;
  configText: string;
  clientConfig(name?: string, overrides?: Partial<ClientConfig>): ClientConfig;
  /** The JMP_* variables a client process of this lab needs (its endpoint, token, name). */
  clientEnv(name?: string): Record<string, string>;
  /** Starts a leased exporter for a declared exporter name, serving the mock board. */
  startExporter(
    name: string,
    configure?: (config: LoadedExporterConfig["config"]) => void,
  ): Promise<LeasedExporter>;
  /** Stops the controller only (exporters keep retrying). */
  stopController(): Promise<void>;
  close(): Promise<void>;
}

export const tokenOf = (kind: string, name: string) => `token-${kind}-${name}-0123456789`;

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "dutkit-lab-")));
  const exporters = options.exporters ?? { "mock-board": { board: "mock" } };
  const clients = options.clients ?? ["ci"];
  const lines = [
    "apiVersion: dutkit.dev/v1alpha1",
    "kind: ControllerConfig",
    "metadata: {namespace: lab}",
    `listen: ${join(dir, "controller.sock")}`,
    "stateFile: state.json",
    "clients:",
    ...clients.map((c) => `  ${c}: {token: ${tokenOf("client", c)}}`),
    "exporters:",
    ...Object.entries(exporters).map(
      ([e, labels]) => `  ${e}: {token: ${tokenOf("exporter", e)}, labels: ${JSON.stringify(labels)}}`,
    ),
  ];
  const configText = `${lines.join("\n")}\n`;
  const configPath = join(dir, "controller.yaml");
  await writeFile(configPath, configText);
  const controller = await startController(parseControllerConfig(configText, configPath));
  const running: LeasedExporter[] = [];
  return {
    dir,
    controller,
    configText,
    clientEnv: (name = clients[0]!) => ({
      JMP_ENDPOINT: controller.address,
      JMP_TOKEN: tokenOf("client", name),
      JMP_NAMESPACE: "lab",
      JMP_NAME: name,
    }),
    clientConfig: (name = clients[0]!, overrides = {}) => ({
      alias: name,
      source: "<lab>",
      namespace: "lab",
      name,
      endpoint: controller.address,
      token: tokenOf("client", name),
      tls: { insecure: false },
      grpcOptions: {},
      drivers: { allow: [], unsafe: true },
      leases: { acquisitionTimeoutS: 30, dialTimeoutS: 60, retryTimeoutS: 300 },
      ...overrides,
    }),
    async startExporter(name, configure) {
      const loaded = await loadExporterConfig(MOCK_BOARD);
      loaded.config.metadata = { ...loaded.config.metadata, name };
      configure?.(loaded.config);
      const exporter = await startLeasedExporter({
        loaded,
        endpoint: controller.address,
        token: tokenOf("exporter", name),
        maxReconnects: 5,
      });
      running.push(exporter);
      return exporter;
    },
    stopController: () => controller.close(),
    async close() {
      await Promise.all(running.map((e) => e.close()));
      await controller.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes a client config file (as `jmp` reads it) for the lab's client `ci`, allowing every
 * driver client, and returns its path.
 */
export async function writeClientConfigFile(lab: Lab): Promise<string> {
  const path = join(lab.dir, "client.yaml");
  await writeFile(
    path,
    [
      "apiVersion: jumpstarter.dev/v1alpha1",
      "kind: ClientConfig",
      "metadata: {namespace: lab, name: ci}",
      `endpoint: ${lab.controller.address}`,
      `token: ${tokenOf("client", "ci")}`,
      "drivers: {allow: [], unsafe: true}",
      "",
    ].join("\n"),
  );
  return path;
}
