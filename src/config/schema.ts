import { z } from "zod";
import { API_VERSION } from "./types.ts";

// Jumpstarter writes absent optional fields as `null` when it saves a config, so null is accepted
// wherever a field is optional, and dropped from the checked config.

const labelMap = z.record(z.string(), z.string());

const hook = z.strictObject({
  script: z.string().min(1),
  exec: z.string().min(1).nullish(),
  timeout: z.number().int().positive().nullish(),
  onFailure: z.enum(["warn", "endLease", "exit"]).nullish(),
});

function metadataSchema(nameRequired: boolean) {
  return z.strictObject({
    name: nameRequired ? z.string().min(1) : z.string().min(1).nullish(),
    namespace: z.string().nullish(),
    labels: labelMap.nullish(),
  });
}

/**
 * The fields of an ExporterConfig around `export` (whose entries are checked one by one, against
 * the driver registry). A file needs `metadata.name`; a config given as an object may leave it out.
 */
export function exporterConfigSchema(options: { nameRequired: boolean }) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION).optional(),
    kind: z.literal("ExporterConfig").optional(),
    metadata: options.nameRequired ? metadataSchema(true) : metadataSchema(false).optional(),
    endpoint: z.string().nullish(),
    token: z.string().nullish(),
    tls: z.strictObject({ ca: z.string().nullish(), insecure: z.boolean().nullish() }).nullish(),
    grpcOptions: z.record(z.string(), z.union([z.string(), z.number().int()])).nullish(),
    description: z.string().nullish(),
    motd: z.string().nullish(),
    exitOnLeaseEnd: z.boolean().nullish(),
    failureDetection: z
      .strictObject({
        maxRapidFailures: z.number().int().positive().nullish(),
        rapidFailureWindow: z.number().positive().nullish(),
      })
      .nullish(),
    hooks: z.strictObject({ beforeLease: hook.nullish(), afterLease: hook.nullish() }).nullish(),
    export: z.record(z.string(), z.unknown()),
  });
}

/** Field-specific advice, by field path, used instead of the generic fix. */
export const topLevelFixes: Record<string, string> = {
  apiVersion: `write "apiVersion: ${API_VERSION}"`,
  kind: 'write "kind: ExporterConfig"; client configs (kind: ClientConfig) cannot be used here',
  metadata:
    'add "metadata: {name: <exporter name>}"; Jumpstarter requires every exporter config to name its exporter',
  "metadata.name":
    'add "name: <exporter name>" under metadata; Jumpstarter requires every exporter to have a name',
  export: 'add "export:" with at least one driver, e.g. "power: {type: MockPower}"',
};

type Plain = null | undefined | string | number | boolean | Plain[] | { [key: string]: Plain };

export type WithoutNulls<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]: WithoutNulls<Exclude<T[K], null>> }
    : T;

/** A copy without null or undefined fields (how Jumpstarter writes "not set"). */
export function withoutNulls<T>(value: T): WithoutNulls<T> {
  const strip = (item: Plain): Plain => {
    if (Array.isArray(item)) return item.map(strip);
    if (item === null || typeof item !== "object") return item;
    const copy: { [key: string]: Plain } = {};
    for (const [key, field] of Object.entries(item)) {
      if (field !== null && field !== undefined) copy[key] = strip(field);
    }
    return copy;
  };
  return strip(value as Plain) as WithoutNulls<T>;
}
