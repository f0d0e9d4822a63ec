import type { ConfigIssue } from "./errors.ts";

export type FieldPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/**
 * Where a field sits in the source: at its key or at its value. A path that does not exist
 * (a missing field) gives the position of the closest existing parent. Configs given as
 * objects have no positions.
 */
export type Locator = (path: FieldPath, at: "key" | "value") => Position | undefined;

export interface Problem {
  message: string;
  expected?: string;
  fix?: string;
}

/** `export.board.children.serial` / `export.shell.config.shell[0]` */
export function formatPath(path: FieldPath): string {
  let text = "";
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : text ? `.${segment}` : segment;
  }
  return text;
}

/** Collects the problems of one config, each with the file, position and field path. */
export class IssueList {
  readonly issues: ConfigIssue[] = [];

  constructor(
    readonly file: string,
    private readonly locate: Locator = () => undefined,
  ) {}

  add(path: FieldPath, problem: Problem, at: "key" | "value" = "value"): void {
    this.addAt(this.locate(path, at), path, problem);
  }

  addAt(position: Position | undefined, path: FieldPath, problem: Problem): void {
    const issue: ConfigIssue = { file: this.file, path: formatPath(path), message: problem.message };
    if (position) {
      issue.line = position.line;
      issue.column = position.column;
    }
    if (problem.expected) issue.expected = problem.expected;
    if (problem.fix) issue.fix = problem.fix;
    this.issues.push(issue);
  }

  get count(): number {
    return this.issues.length;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short description of a value for "got …" in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  if (isPlainObject(value)) return "a map";
  if (typeof value === "string")
    return `the string "${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  return `a ${typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value}`;
}
