import { DutkitError } from "../core/errors.ts";

/** One problem in an exporter config. `line`/`column` (1-based) are absent for configs given as objects. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path, e.g. `export.power.config.voltage`; "" for the whole document. */
  path: string;
  message: string;
  expected?: string;
  fix?: string;
}

/** `file:line:column path: message — expected … — fix …` */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  let text = `${where} ${issue.path || "(document)"}: ${issue.message}`;
  if (issue.expected) text += ` — expected ${issue.expected}`;
  if (issue.fix) text += ` — fix: ${issue.fix}`;
  return text;
}

/** Every problem found in one config, in document order. */
export class ConfigError extends DutkitError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const file = issues[0]?.file ?? "exporter config";
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    const lines = issues.map((issue) => `  ${formatConfigIssue(issue)}`).join("\n");
    super("ERR_DUTKIT_CONFIG", `${file}: ${count} in the exporter config:\n${lines}`);
    this.issues = issues;
  }
}

/** Sorts by position (issues without one keep their order, after the positioned ones). */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const rank = (issue: ConfigIssue) => (issue.line ?? Number.MAX_SAFE_INTEGER) * 1e6 + (issue.column ?? 0);
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || a.index - b.index)
    .map(({ issue }) => issue);
}
