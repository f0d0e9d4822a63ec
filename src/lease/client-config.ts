import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DutkitError } from "../core/errors.ts";
import { parseDurationAtLeast } from "../protocol/duration.ts";

/** A Jumpstarter ClientConfig (spec 3), as dutkit uses it. */
export interface ClientConfig {
  /** Alias (file stem), or `<env>` for an env-only config. */
  alias: string;
  source: string;
  namespace: string;
  name: string;
  endpoint: string;
  token: string;
  tls: { ca?: string; insecure: boolean };
  grpcOptions: Record<string, string | number>;
  drivers: { allow: string[]; unsafe: boolean };
  leases: { acquisitionTimeoutS: number; dialTimeoutS: number; retryTimeoutS: number };
}

export class ClientConfigError extends DutkitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DUTKIT_CLIENT_CONFIG", message, options);
  }
}

const fileSchema = z.object({
  apiVersion: z.literal("jumpstarter.dev/v1alpha1"),
  kind: z.literal("ClientConfig"),
  metadata: z.object({ namespace: z.string().nullish(), name: z.string().nullish() }).nullish(),
  endpoint: z.string().nullish(),
  tls: z.object({ ca: z.string().nullish(), insecure: z.boolean().nullish() }).nullish(),
  token: z.string().nullish(),
  refresh_token: z.string().nullish(),
  grpcOptions: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
  drivers: z.object({ allow: z.array(z.string()).nullish(), unsafe: z.boolean().nullish() }).nullish(),
  shell: z.object({ use_profiles: z.boolean().nullish() }).nullish(),
  leases: z
    .object({
      acquisition_timeout: z.union([z.number(), z.string()]).nullish(),
      dial_timeout: z.union([z.number(), z.string()]).nullish(),
      retry_timeout: z.union([z.number(), z.string()]).nullish(),
    })
    .nullish(),
});
type ClientConfigFile = z.infer<typeof fileSchema>;

type Env = Record<string, string | undefined>;

/** `$JMP_CLIENT_CONFIG_HOME`, else `$XDG_CONFIG_HOME/jumpstarter`, else `~/.config/jumpstarter`. */
export function configHome(env: Env = process.env): string {
  if (env.JMP_CLIENT_CONFIG_HOME) return env.JMP_CLIENT_CONFIG_HOME;
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "jumpstarter");
}

const truthy = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

/** Driver allow settings: env `JMP_DRIVERS_ALLOW` (comma list, `UNSAFE`) wins over the file (spec 2.10). */
function driversOf(file: ClientConfigFile | undefined, env: Env): ClientConfig["drivers"] {
  if (env.JMP_DRIVERS_ALLOW !== undefined) {
    const list = env.JMP_DRIVERS_ALLOW.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    return {
      allow: list.filter((s) => s !== "UNSAFE"),
      unsafe: list.includes("UNSAFE") || truthy(env.JMP_DRIVERS_UNSAFE),
    };
  }
  return {
    allow: file?.drivers?.allow ?? [],
    unsafe: truthy(env.JMP_DRIVERS_UNSAFE) || (file?.drivers?.unsafe ?? false),
  };
}

/** File values win; env (`JMP_*`) fills what the file leaves out (spec 3). */
function resolveConfig(
  alias: string,
  source: string,
  file: ClientConfigFile | undefined,
  env: Env,
): ClientConfig {
  const namespace = file?.metadata?.namespace ?? env.JMP_NAMESPACE;
  const name = file?.metadata?.name ?? env.JMP_NAME;
  const endpoint = file?.endpoint ?? env.JMP_ENDPOINT;
  const token = file?.token ?? env.JMP_TOKEN;
  const missing = [
    namespace ? undefined : "metadata.namespace (JMP_NAMESPACE)",
    name ? undefined : "metadata.name (JMP_NAME)",
    endpoint ? undefined : "endpoint (JMP_ENDPOINT)",
    token ? undefined : "token (JMP_TOKEN)",
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new ClientConfigError(
      `the client config ${source} has no ${missing.join(", ")}; add them to the file or set the env vars`,
    );
  }
  const leases = file?.leases ?? {};
  const dialEnv = env.JMP_DIAL_TIMEOUT;
  const retryEnv = env.JMP_RETRY_TIMEOUT;
  const ca = file?.tls?.ca;
  return {
    alias,
    source,
    namespace: namespace!,
    name: name!,
    endpoint: endpoint!,
    token: token!,
    tls: {
      ...(ca ? { ca: Buffer.from(ca, "base64").toString("utf8") } : {}),
      insecure:
        (file?.tls?.insecure ?? false) ||
        truthy(env.JMP_GRPC_INSECURE) ||
        truthy(env.JUMPSTARTER_GRPC_INSECURE),
    },
    grpcOptions: file?.grpcOptions ?? {},
    drivers: driversOf(file, env),
    leases: {
      acquisitionTimeoutS: parseDurationAtLeast(
        leases.acquisition_timeout ?? 7200,
        5,
        "leases.acquisition_timeout",
      ),
      dialTimeoutS: parseDurationAtLeast(leases.dial_timeout ?? dialEnv ?? 60, 5, "leases.dial_timeout"),
      retryTimeoutS: parseDurationAtLeast(leases.retry_timeout ?? retryEnv ?? 300, 0, "leases.retry_timeout"),
    },
  };
}

/** Reads and checks one ClientConfig file. */
export async function readClientConfigFile(
  path: string,
  alias: string,
  env: Env = process.env,
): Promise<ClientConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClientConfigError(
      code === "ENOENT"
        ? `no client config at ${path}; create it (kind: ClientConfig) or pass --client-config with the right path`
        : `cannot read the client config ${path} (${code}); check its permissions`,
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ClientConfigError(`the client config ${path} is not valid YAML: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ClientConfigError(
      `the client config ${path} is invalid at ${issue.path.join(".") || "(top)"}: ${issue.message}; ` +
        "it needs apiVersion: jumpstarter.dev/v1alpha1 and kind: ClientConfig",
    );
  }
  return resolveConfig(alias, path, parsed.data, env);
}

async function currentClientAlias(env: Env): Promise<string | undefined> {
  try {
    const text = await readFile(join(configHome(env), "config.yaml"), "utf8");
    const value = parseYaml(text) as { config?: { "current-client"?: string | null } } | null;
    return value?.config?.["current-client"] ?? undefined;
  } catch {
    return undefined;
  }
}

export interface ClientConfigChoice {
  /** `--client <alias>`: `CONFIG/clients/<alias>.yaml`. */
  client?: string;
  /** `--client-config <path>`. */
  clientConfig?: string;
  /** Last resort when nothing else names a client (JumpstarterTest uses "default"). */
  fallbackAlias?: string;
}

/**
 * Loads the client config in the CLI's order (spec 3): `--client` / `--client-config` → an env-only
 * config when JMP_NAME and JMP_NAMESPACE are set → UserConfig current-client → `fallbackAlias`.
 */
export async function loadClientConfig(
  choice: ClientConfigChoice = {},
  env: Env = process.env,
): Promise<ClientConfig> {
  if (choice.client && choice.clientConfig) {
    throw new ClientConfigError("give either --client or --client-config, not both");
  }
  if (choice.clientConfig) return readClientConfigFile(choice.clientConfig, choice.clientConfig, env);
  const aliasPath = (alias: string) => join(configHome(env), "clients", `${alias}.yaml`);
  if (choice.client) return readClientConfigFile(aliasPath(choice.client), choice.client, env);
  if (env.JMP_NAME && env.JMP_NAMESPACE && env.JMP_ENDPOINT && env.JMP_TOKEN) {
    return resolveConfig("<env>", "from JMP_* env vars", undefined, env);
  }
  const current = await currentClientAlias(env);
  if (current) return readClientConfigFile(aliasPath(current), current, env);
  if (choice.fallbackAlias) {
    const path = aliasPath(choice.fallbackAlias);
    try {
      return await readClientConfigFile(path, choice.fallbackAlias, env);
    } catch (error) {
      if (!(error instanceof ClientConfigError) || !String(error.message).startsWith("no client config"))
        throw error;
    }
  }
  const envVars = ["JMP_ENDPOINT", "JMP_TOKEN", "JMP_NAMESPACE", "JMP_NAME"] as const;
  const set = envVars.filter((name) => env[name]);
  if (set.length > 0) {
    const unset = envVars.filter((name) => !env[name]);
    throw new ClientConfigError(
      `${listed(set)} ${set.length === 1 ? "is" : "are"} set but ${listed(unset)} ${unset.length === 1 ? "is" : "are"} not: a client config from the environment needs all four (set ${listed(unset)}), or pass --client-config FILE`,
    );
  }
  throw new ClientConfigError(
    `no client config to lease with: pass --client-config FILE, set JMP_ENDPOINT, JMP_TOKEN, JMP_NAMESPACE and JMP_NAME, or set current-client in ${join(configHome(env), "config.yaml")}`,
  );
}

/** "A", "A and B", "A, B and C". */
function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
