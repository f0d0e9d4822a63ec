import type { Command } from "commander";
import { loadControllerConfig } from "../controller/config.ts";
import { startController } from "../controller/server.ts";
import type { CommandContext } from "./context.ts";
import { untilStopped } from "./run.ts";

const FORMAT = `
The config file (YAML):
  apiVersion: dutkit.dev/v1alpha1
  kind: ControllerConfig
  metadata: {namespace: lab}
  listen: 127.0.0.1:8082          # or a unix socket path; the endpoint of clients and exporters
  stateFile: controller-state.json
  clients:
    ci: {token: <at least 8 characters>}
  exporters:
    rpi4-01: {token: <secret>, labels: {board: rpi4}}
`;

/** `dutkit controller --config F`: a one-host lease controller with its router. */
export function registerControllerCommand(program: Command, context: CommandContext): void {
  program
    .command("controller")
    .description("run a lease controller for one host (ControllerService, ClientService, RouterService)")
    .requiredOption("--config <file>", "ControllerConfig YAML")
    .addHelpText("after", FORMAT)
    .action(async (options: { config: string }) => {
      const config = await loadControllerConfig(options.config);
      const controller = await startController(config);
      context.io.stdout(
        `controller for namespace ${config.namespace} serving at ${controller.address} ` +
          `(${config.clients.length} clients, ${config.exporters.length} exporters; state in ${config.stateFile})\n`,
      );
      await untilStopped();
      await controller.close();
    });
}
