import { checkExportEntries } from "./entries.ts";
import { type IssueList, isPlainObject } from "./issues.ts";
import { checkRefs } from "./refs.ts";
import { exporterConfigSchema, topLevelFixes, withoutNulls } from "./schema.ts";
import { API_VERSION, type ExporterConfig } from "./types.ts";
import { problemsFromZod } from "./zod-problems.ts";

/** The exporter name used when a config given as an object names none. */
export const DEFAULT_EXPORTER_NAME = "local";

/**
 * Checks a whole exporter config given as plain data. Every problem goes to `issues`; the
 * checked config is returned only when there were none.
 */
export function checkConfigValue(
  value: unknown,
  issues: IssueList,
  options: { nameRequired: boolean },
): ExporterConfig | undefined {
  const before = issues.count;
  if (!isPlainObject(value)) {
    issues.add([], {
      message: value === undefined || value === null ? "the config is empty" : "the config is not a map",
      expected: `a map with "apiVersion: ${API_VERSION}", "kind: ExporterConfig", "metadata" and "export"`,
      fix: "start from an example exporter config (see the dutkit README)",
    });
    return undefined;
  }
  const schema = exporterConfigSchema(options);
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const problem of problemsFromZod(result.error.issues, value, schema)) {
      const fix = topLevelFixes[problem.path.join(".")] ?? problem.fix;
      issues.add(problem.path, { ...problem, fix }, problem.at);
    }
  }
  const exportMap = value.export;
  let entries: ExporterConfig["export"] = {};
  if (isPlainObject(exportMap)) {
    if (Object.keys(exportMap).length === 0) {
      issues.add(["export"], {
        message: "the exporter exports no drivers",
        expected: "at least one driver entry",
        fix: topLevelFixes.export,
      });
    }
    entries = checkExportEntries(exportMap, ["export"], issues);
    checkRefs(exportMap, issues);
  }
  if (!result.success || issues.count > before) return undefined;

  const { export: _checkedSeparately, metadata, ...rest } = withoutNulls(result.data);
  return {
    ...rest,
    apiVersion: API_VERSION,
    kind: "ExporterConfig",
    metadata: { ...metadata, name: metadata?.name ?? DEFAULT_EXPORTER_NAME },
    export: entries,
  };
}
