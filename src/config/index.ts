export { DEFAULT_EXPORTER_NAME } from "./check.ts";
export {
  type ClientTreeOf,
  type CompositeEntryDefinition,
  type DriversDescription,
  type DriverTypeName,
  defineExporter,
  type EntryDefinition,
  type ExporterDefinition,
  type TypedEntryDefinition,
} from "./define.ts";
export { ConfigError, type ConfigIssue, formatConfigIssue } from "./errors.ts";
export { checkExporterConfig, loadExporterConfig, parseExporterConfig } from "./load.ts";
export {
  API_VERSION,
  type CompositeEntry,
  type DriverEntry,
  type ExporterConfig,
  type HookConfig,
  isRefEntry,
  isTypedEntry,
  type LoadedExporterConfig,
  type RefEntry,
  type TypedDriverEntry,
} from "./types.ts";
