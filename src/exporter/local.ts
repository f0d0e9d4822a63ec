import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkExporterConfig, loadExporterConfig } from "../config/index.ts";
import type { ExporterConfig, LoadedExporterConfig } from "../config/types.ts";
import "../drivers/index.ts";
import { Session } from "./session.ts";

/** An exporter config: a YAML file (path or file URL) or a config object (`defineExporter`). */
export type ExporterSource = string | URL | ExporterConfig;

/** Loads and checks a config; relative paths resolve against the current directory. */
export async function loadExporter(source: ExporterSource): Promise<LoadedExporterConfig> {
  if (typeof source === "string" || source instanceof URL) {
    const path = source instanceof URL ? fileURLToPath(source) : resolve(source);
    return loadExporterConfig(path);
  }
  return checkExporterConfig(source, "<defineExporter>", process.cwd());
}

/** Opens a local exporter session: a fresh driver tree on this host. */
export async function openLocalSession(source: ExporterSource | LoadedExporterConfig): Promise<Session> {
  const loaded = isLoaded(source) ? source : await loadExporter(source);
  return Session.open(loaded);
}

function isLoaded(source: ExporterSource | LoadedExporterConfig): source is LoadedExporterConfig {
  return typeof source === "object" && !(source instanceof URL) && "config" in source && "source" in source;
}
