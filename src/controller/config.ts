import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { formatConfigIssue } from "../config/errors.ts";
import { readYamlSource } from "../config/yaml-source.ts";
import { problemsFromZod } from "../config/zod-problems.ts";
import { DutkitError } from "../core/errors.ts";

/** One identity the controller knows: a client or an exporter with its bearer token. */
export interface Principal {
  kind: "Client" | "Exporter";
  name: string;
  token: string;
  /** Exporters only: the labels leases select by. */
  labels: Record<string, string>;
}

export interface ControllerConfig {
  source: string;
  namespace: string;
  /** Where to listen: `host:port` (port 0 picks one) or a unix socket path. */
  listen: string;
  /** The endpoint handed out for the router in Dial/Listen; default: the bound listen address. */
  advertise?: string;
  /** Where leases are kept across restarts. */
  stateFile: string;
  tls?: { certFile: string; keyFile: string };
  clients: Principal[];
  exporters: Principal[];
}

export class ControllerConfigError extends DutkitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_CONTROLLER_CONFIG", message, options);
  }
}

const labelsSchema = z.record(z.string(), z.string());
const identity = z.strictObject({ token: z.string().min(8), labels: labelsSchema.optional() });
const schema = z.strictObject({
  apiVersion: z.literal("dutkit.dev/v1alpha1"),
  kind: z.literal("ControllerConfig"),
  metadata: z.strictObject({ namespace: z.string().min(1) }),
  listen: z.string().default("127.0.0.1:8082"),
  advertise: z.string().optional(),
  stateFile: z.string().default("controller-state.json"),
  tls: z.strictObject({ certFile: z.string(), keyFile: z.string() }).optional(),
  clients: z.record(z.string(), identity.omit({ labels: true })).default({}),
  exporters: z.record(z.string(), identity).default({}),
});

/** Reads the ControllerConfig YAML: namespace, listen address, state file, clients and exporters. */
export function parseControllerConfig(text: string, source: string): ControllerConfig {
  // Located and worded as exporter config problems are: file:line:column, path, expected, fix.
  const { value, issues } = readYamlSource(text, source);
  const parsed = value === undefined ? undefined : schema.safeParse(value);
  if (parsed && !parsed.success) {
    for (const problem of problemsFromZod(parsed.error.issues, value, schema)) {
      issues.add(problem.path, problem, problem.at);
    }
  }
  if (!parsed?.success || issues.count > 0) {
    const count = issues.count === 1 ? "1 problem" : `${issues.count} problems`;
    const lines = issues.issues.map((issue) => `  ${formatConfigIssue(issue)}`).join("\n");
    throw new ControllerConfigError(
      `${source}: ${count} in the controller config:\n${lines}\nSee "dutkit controller --help" for the file format`,
    );
  }
  const data = parsed.data;
  const dir = dirname(resolve(source));
  const clients = Object.entries(data.clients).map(
    ([name, c]): Principal => ({ kind: "Client", name, token: c.token, labels: {} }),
  );
  const exporters = Object.entries(data.exporters).map(
    ([name, e]): Principal => ({ kind: "Exporter", name, token: e.token, labels: e.labels ?? {} }),
  );
  const tokens = new Map<string, string>();
  for (const p of [...clients, ...exporters]) {
    const other = tokens.get(p.token);
    if (other) {
      throw new ControllerConfigError(
        `${source}: ${p.kind.toLowerCase()} "${p.name}" has the same token as ${other}; give every identity its own token`,
      );
    }
    tokens.set(p.token, `${p.kind.toLowerCase()} "${p.name}"`);
  }
  return {
    source,
    namespace: data.metadata.namespace,
    listen: data.listen,
    ...(data.advertise ? { advertise: data.advertise } : {}),
    stateFile: resolve(dir, data.stateFile),
    ...(data.tls
      ? { tls: { certFile: resolve(dir, data.tls.certFile), keyFile: resolve(dir, data.tls.keyFile) } }
      : {}),
    clients,
    exporters,
  };
}

export async function loadControllerConfig(path: string): Promise<ControllerConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ControllerConfigError(
      `cannot read the controller config ${path} (${(error as NodeJS.ErrnoException).code}); check the path`,
      { cause: error },
    );
  }
  return parseControllerConfig(text, path);
}
