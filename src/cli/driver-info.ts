import { z } from "zod";
import type { DriverTypeSpec } from "../core/registry.ts";

/** One option of a driver type's `config`, as `dutkit drivers` shows it. */
export interface ConfigFieldInfo {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

export interface DriverTypeInfo {
  id: string;
  aliases: string[];
  summary: string;
  children: { accepts: "none" | "any"; required: string[] };
  /** Children the driver makes itself, which refs may name. */
  provides: string[];
  config: ConfigFieldInfo[];
  /** JSON Schema (draft 2020-12) of the `config` map as written in a config file. */
  configSchema: Record<string, unknown>;
}

type JsonSchema = Record<string, unknown>;

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as JsonSchema)
    : undefined;
}

/** A short type text for a JSON Schema: `number`, `string[]`, `"ac" | "dc"`, `map of string`. */
export function schemaTypeText(schema: JsonSchema | undefined, depth = 0): string {
  if (!schema || depth > 6) return "any";
  const nested = (value: unknown) => schemaTypeText(asSchema(value), depth + 1);
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  if ("const" in schema) return JSON.stringify(schema.const);
  const options = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(options)) return [...new Set(options.map(nested))].join(" | ");
  if (typeof schema.$ref === "string") return schema.$ref.split("/").at(-1) ?? "object";
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const texts = types.map((type) => {
    if (type === "array") {
      const item = nested(schema.items);
      return item.includes(" ") ? `(${item})[]` : `${item}[]`;
    }
    if (type === "object") {
      const values = asSchema(schema.additionalProperties);
      return values && Object.keys(values).length > 0 ? `map of ${nested(values)}` : "object";
    }
    return typeof type === "string" ? type : "any";
  });
  return texts.join(" | ");
}

/** What `dutkit drivers` shows for a driver type, read from its spec and its config schema. */
export function describeDriverType(spec: DriverTypeSpec): DriverTypeInfo {
  const configSchema = z.toJSONSchema(spec.config, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const properties = asSchema(configSchema.properties) ?? {};
  const required = new Set(Array.isArray(configSchema.required) ? configSchema.required : []);
  const config = Object.entries(properties).map(([name, value]): ConfigFieldInfo => {
    const property = asSchema(value) ?? {};
    const field: ConfigFieldInfo = { name, type: schemaTypeText(property), required: required.has(name) };
    if ("default" in property) field.default = property.default;
    if (typeof property.description === "string") field.description = property.description;
    return field;
  });
  return {
    id: spec.id,
    aliases: [...(spec.aliases ?? [])],
    summary: spec.summary,
    children: { accepts: spec.children?.accepts ?? "none", required: [...(spec.children?.required ?? [])] },
    provides: [...(spec.provides ?? [])],
    config,
    configSchema,
  };
}
