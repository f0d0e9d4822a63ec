import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { checkConfigValue } from "./check.ts";
import { ConfigError, sortIssues } from "./errors.ts";
import { IssueList } from "./issues.ts";
import type { LoadedExporterConfig } from "./types.ts";
import { readYamlSource } from "./yaml-source.ts";

/**
 * Reads and checks an ExporterConfig YAML file. Throws ConfigError (code ERR_DUTKIT_CONFIG) with
 * every problem of the file, each with its line, column and field path.
 */
export async function loadExporterConfig(path: string): Promise<LoadedExporterConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const issues = new IssueList(path);
    issues.add([], {
      message: code === "ENOENT" ? "the file does not exist" : `the file cannot be read (${code ?? error})`,
      fix: code === "ENOENT" ? "check the path" : "check the path and the file's permissions",
    });
    throw new ConfigError(issues.issues);
  }
  return parseExporterConfig(text, path);
}

/**
 * Checks ExporterConfig YAML text. `source` names it in messages; relative paths in driver
 * configs resolve against `dir` (default: the directory of `source`).
 */
export function parseExporterConfig(text: string, source: string, dir?: string): LoadedExporterConfig {
  const { value, issues } = readYamlSource(text, source);
  const config = value === undefined ? undefined : checkConfigValue(value, issues, { nameRequired: true });
  if (!config || issues.count > 0) throw new ConfigError(sortIssues(issues.issues));
  return { config, source, dir: dir ?? dirname(resolve(source)) };
}

/**
 * Checks a config given as an object (e.g. from defineExporter) the same way; issues carry no
 * positions. `apiVersion`, `kind` and `metadata.name` may be left out.
 */
export function checkExporterConfig(value: unknown, source: string, dir: string): LoadedExporterConfig {
  const issues = new IssueList(source);
  const config = checkConfigValue(value, issues, { nameRequired: false });
  if (!config) throw new ConfigError(issues.issues);
  return { config, source, dir };
}
