import type { Command } from "commander";
import { loadControllerConfig } from "../controller/config.ts";
import { isJwtShaped, newIdentityToken } from "../controller/jwt.ts";
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
  tls: {certFile: controller.crt, keyFile: controller.key}   # Jumpstarter's jmp needs TLS
  clients:
    ci: {token: <at least 8 characters>}
  exporters:
    rpi4-01: {token: <secret>, labels: {board: rpi4}}

Jumpstarter's "jmp shell" decodes client tokens as JWTs: make them with
"dutkit controller --new-token <name>" (a random secret in JWT shape).
`;

/** `dutkit controller --config F`: a one-host lease controller with its router. */
export function registerControllerCommand(program: Command, context: CommandContext): void {
  program
    .command("controller")
    .description("run a lease controller for one host (ControllerService, ClientService, RouterService)")
    .option("--config <file>", "ControllerConfig YAML")
    .option("--new-token <name>", "print a new random token in JWT shape for a client or exporter, and exit")
    .addHelpText("after", FORMAT)
    .action(async (options: { config?: string; newToken?: string }) => {
      if (options.newToken !== undefined) {
        context.io.stdout(`${newIdentityToken(options.newToken)}\n`);
        return;
      }
      if (!options.config) program.error("error: required option '--config <file>' not specified");
      const config = await loadControllerConfig(options.config);
      for (const client of config.clients) {
        if (!isJwtShaped(client.token)) {
          context.io.stderr(
            `warning: client "${client.name}" has a token that is not a JWT; Jumpstarter's "jmp shell" ` +
              `decodes client tokens as JWTs and fails ("Invalid JSON Web Signature"); ` +
              `make one with "dutkit controller --new-token ${client.name}"\n`,
          );
        }
      }
      const controller = await startController(config);
      context.io.stdout(
        `controller for namespace ${config.namespace} serving at ${controller.address} ` +
          `(${config.clients.length} clients, ${config.exporters.length} exporters; state in ${config.stateFile})\n`,
      );
      await untilStopped();
      await controller.close();
    });
}
