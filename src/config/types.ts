/**
 * The Jumpstarter ExporterConfig (apiVersion jumpstarter.dev/v1alpha1), as loaded and checked.
 * Field names follow the YAML on the wire; see spec section 3.
 */

export const API_VERSION = "jumpstarter.dev/v1alpha1";

/** A driver instance with a type; `config` keys are the driver's options. */
export interface TypedDriverEntry {
  type: string;
  config?: Record<string, unknown>;
  children?: Record<string, DriverEntry>;
  description?: string;
  methods_description?: Record<string, string>;
  /** Extra labels reported for this driver (dutkit extension). */
  labels?: Record<string, string>;
}

/** Bare children: a Composite. */
export interface CompositeEntry {
  children: Record<string, DriverEntry>;
  description?: string;
  labels?: Record<string, string>;
}

/** A proxy to another driver, by dotted path from the root of `export`. */
export interface RefEntry {
  ref: string;
}

export type DriverEntry = TypedDriverEntry | CompositeEntry | RefEntry;

export interface HookConfig {
  script: string;
  exec?: string;
  timeout?: number;
  onFailure?: "warn" | "endLease" | "exit";
}

export interface ExporterConfig {
  apiVersion: typeof API_VERSION;
  kind: "ExporterConfig";
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  endpoint?: string;
  token?: string;
  tls?: { ca?: string; insecure?: boolean };
  grpcOptions?: Record<string, string | number>;
  description?: string;
  motd?: string;
  exitOnLeaseEnd?: boolean;
  /** When the exporter gives up after failing repeatedly (seconds for the window). */
  failureDetection?: { maxRapidFailures?: number; rapidFailureWindow?: number };
  hooks?: { beforeLease?: HookConfig; afterLease?: HookConfig };
  export: Record<string, DriverEntry>;
}

/** A checked config and where it came from (relative driver paths resolve against `dir`). */
export interface LoadedExporterConfig {
  config: ExporterConfig;
  /** The file it was read from, or a label such as `<defineExporter>`. */
  source: string;
  dir: string;
}

export function isRefEntry(entry: DriverEntry): entry is RefEntry {
  return "ref" in entry;
}

export function isTypedEntry(entry: DriverEntry): entry is TypedDriverEntry {
  return "type" in entry;
}
