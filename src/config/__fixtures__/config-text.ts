// Helpers for tests that check YAML config text.
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { parseExporterConfig } from "../load.ts";

export const header = [
  "apiVersion: jumpstarter.dev/v1alpha1",
  "kind: ExporterConfig",
  "metadata:",
  "  name: bench-1",
];

/** A config whose `export:` is line 5, so its first entry is on line 6. */
export function withExport(...lines: string[]): string {
  return [...header, "export:", ...lines, ""].join("\n");
}

/** The issues of the ConfigError that checking `text` throws. */
export function issuesOf(text: string, source = "bench.yaml"): ConfigIssue[] {
  try {
    parseExporterConfig(text, source, "/lab");
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("the config was accepted");
}
