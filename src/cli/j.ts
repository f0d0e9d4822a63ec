import type { Command } from "commander";
import type { DriverClient } from "../client/client.ts";
import { GrpcTransport } from "../client/grpc/index.ts";
import { buildClientTree } from "../client/tree.ts";
import { DutkitError, NotFoundError } from "../core/errors.ts";
import type { CommandContext } from "./context.ts";

/** An argument as JSON when it parses (numbers, true, {"a":1}), else the plain string. */
function parseArg(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function childAt(root: DriverClient, path: string): Record<string, unknown> {
  let node = root as unknown as Record<string, unknown>;
  for (const name of path.split(".").filter(Boolean)) {
    const next = node[name];
    if (next === undefined || next === null || typeof next !== "object") {
      throw new NotFoundError(`no driver "${name}" at "${path}"; list the tree with "dutkit j"`);
    }
    node = next as Record<string, unknown>;
  }
  return node;
}

/** `dutkit j <driver path> <method> [args…]`: call a driver of the board at JUMPSTARTER_HOST. */
export function registerJCommand(program: Command, context: CommandContext): void {
  program
    .command("j")
    .description("call a driver method on the board at JUMPSTARTER_HOST (inside dutkit shell)")
    .argument("[path]", "driver path, dotted (power, board.switch)")
    .argument("[method]", "method name")
    .argument("[args...]", "arguments (JSON when they parse, else strings)")
    .action(async (path: string | undefined, method: string | undefined, args: string[]) => {
      const host = process.env.JUMPSTARTER_HOST;
      if (!host) {
        throw new DutkitError(
          "ERR_DUTKIT_NO_HOST",
          "JUMPSTARTER_HOST is not set: run this inside dutkit shell (or jmp shell), or set it to an exporter socket",
        );
      }
      const transport = await GrpcTransport.connect(host);
      try {
        const report = await transport.report();
        const root = buildClientTree(report, transport);
        if (!path || !method) {
          for (const r of report.reports) {
            const name = r.labels["jumpstarter.dev/name"] ?? "(root)";
            const methods = Object.keys(r.methodsDescription).join(", ");
            context.io.stdout(`${name}\t${r.labels["jumpstarter.dev/client"] ?? ""}\t${methods}\n`);
          }
          return;
        }
        const driver = childAt(root, path);
        const fn = driver[method];
        if (typeof fn !== "function") throw new NotFoundError(`driver "${path}" has no method "${method}"`);
        const result = await (fn as (...a: unknown[]) => unknown).apply(driver, args.map(parseArg));
        if (
          result !== undefined &&
          result !== null &&
          typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"
        ) {
          let count = 0;
          for await (const item of result as AsyncIterable<unknown>) {
            if (++count > 1_000_000) break;
            context.io.stdout(`${typeof item === "string" ? item : JSON.stringify(item)}\n`);
          }
        } else if (result !== undefined) {
          context.io.stdout(`${typeof result === "string" ? result : JSON.stringify(result)}\n`);
        }
      } finally {
        await transport.close();
      }
    });
}
