import type { z } from "zod";
import { describeValue, type FieldPath, isPlainObject, type Problem } from "./issues.ts";
import { closestMatches, quoteList } from "./suggest.ts";

type ZodIssue = z.core.$ZodIssue;

/** A problem at a path relative to the validated value. */
export interface LocatedProblem extends Problem {
  path: FieldPath;
  at: "key" | "value";
}

const typeNames: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a map",
  record: "a map",
  array: "a list",
  tuple: "a list",
  null: "null",
  date: "a date",
  nonoptional: "a value",
};

function typeName(expected: string): string {
  return typeNames[expected] ?? expected;
}

function showLiteral(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let value = root;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === "number") value = value[segment];
    else if (isPlainObject(value) && typeof segment === "string" && Object.hasOwn(value, segment))
      value = value[segment];
    else return undefined;
  }
  return value;
}

function isMissing(root: unknown, path: FieldPath): boolean {
  const key = path.at(-1);
  const parent = valueAt(root, path.slice(0, -1));
  return typeof key === "string" && isPlainObject(parent) && parent[key] === undefined;
}

function defOf(schema: unknown): Record<string, any> | undefined {
  return (schema as { _zod?: { def?: Record<string, any> } } | undefined)?._zod?.def;
}

/** The field names a strict object schema allows at `path`, when that can be read from the schema. */
export function knownKeysAt(schema: z.ZodType, path: FieldPath): string[] | undefined {
  const visit = (node: unknown, rest: FieldPath, depth: number): string[] | undefined => {
    const def = defOf(node);
    if (!def || depth > 50) return undefined;
    switch (def.type) {
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "readonly":
      case "catch":
      case "nonoptional":
        return visit(def.innerType, rest, depth + 1);
      case "pipe":
        return visit(def.in, rest, depth + 1);
      case "lazy":
        return visit(def.getter(), rest, depth + 1);
      case "union": {
        const keys = (def.options as unknown[]).flatMap((option) => visit(option, rest, depth + 1) ?? []);
        return keys.length > 0 ? [...new Set(keys)] : undefined;
      }
    }
    const [head, ...tail] = rest;
    if (head === undefined) return def.type === "object" ? Object.keys(def.shape) : undefined;
    if (def.type === "object") return visit(def.shape[head], tail, depth + 1);
    if (def.type === "record") return visit(def.valueType, tail, depth + 1);
    if (def.type === "array") return visit(def.element, tail, depth + 1);
    return undefined;
  };
  return visit(schema, path, 0);
}

function toFieldPath(path: readonly PropertyKey[]): FieldPath {
  return path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

function typeFix(expected: string, actual: unknown): string {
  const scalar = typeof actual === "number" || typeof actual === "boolean" || actual instanceof Date;
  if (expected === "string" && scalar) return "put the value in quotes to make it a string";
  if (actual === null) return `give it a value (${typeName(expected)}), or remove the field`;
  return `change the value to ${typeName(expected)}`;
}

function limitText(origin: string, small: boolean, inclusive: boolean, limit: number | bigint): string {
  if (origin === "string") return `${small ? "at least" : "at most"} ${limit} characters`;
  if (origin === "array" || origin === "set") return `${small ? "at least" : "at most"} ${limit} items`;
  const comparison = small ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
  return `${origin === "int" ? "an integer" : "a number"} ${comparison} ${limit}`;
}

/** The type names of a union whose every branch failed on the value's type itself. */
function unionTypeNames(issue: Extract<ZodIssue, { code: "invalid_union" }>): string[] | undefined {
  if (issue.errors.length === 0) return undefined;
  const names: string[] = [];
  for (const branch of issue.errors) {
    const first = branch[0];
    if (branch.length !== 1 || !first || first.path.length > 0) return undefined;
    if (first.code === "invalid_type") names.push(typeName(first.expected));
    else if (first.code === "invalid_value") names.push(...first.values.map(showLiteral));
    else return undefined;
  }
  return [...new Set(names)];
}

/**
 * Turns zod issues into problems that say what was expected and how to fix it. `value` is what
 * was validated (to describe what was found), `schema` what validated it (to list known keys).
 */
export function problemsFromZod(
  issues: readonly ZodIssue[],
  value: unknown,
  schema: z.ZodType,
  base: FieldPath = [],
): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...toFieldPath(issue.path)];
    const actual = valueAt(value, path);
    const field = path.at(-1);
    const missing = isMissing(value, path);
    const add = (problem: Problem, at: "key" | "value" = "value", where: FieldPath = path) =>
      problems.push({ path: where, at, ...problem });

    switch (issue.code) {
      case "invalid_type": {
        if (missing) {
          add({
            message: `missing required field "${String(field)}"`,
            expected: typeName(issue.expected),
            fix: `add "${String(field)}: …" here`,
          });
        } else {
          add({
            message: `wrong type: got ${describeValue(actual)}`,
            expected: typeName(issue.expected),
            fix: typeFix(issue.expected, actual),
          });
        }
        break;
      }
      case "invalid_value": {
        const allowed = issue.values.map(showLiteral);
        const expected = allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`;
        const name = typeof field === "string" ? field : "it";
        if (missing) {
          add({ message: `missing required field "${name}"`, expected, fix: `add "${name}: ${allowed[0]}"` });
          break;
        }
        const near =
          typeof actual === "string"
            ? closestMatches(
                actual,
                issue.values.filter((v): v is string => typeof v === "string"),
              )
            : [];
        const fix =
          near[0] !== undefined
            ? `did you mean "${near[0]}"?`
            : allowed.length === 1
              ? `write "${name}: ${String(issue.values[0])}"`
              : `use one of ${allowed.join(", ")}`;
        add({ message: `unsupported value: got ${describeValue(actual)}`, expected, fix });
        break;
      }
      case "unrecognized_keys": {
        const known = knownKeysAt(schema, path);
        for (const key of issue.keys) {
          const near = known ? closestMatches(key, known) : [];
          add(
            {
              message: `unknown field "${key}"`,
              expected: known ? `one of the fields ${quoteList(known)}` : undefined,
              fix:
                near[0] !== undefined
                  ? `did you mean "${near[0]}"? otherwise remove it`
                  : "remove it or fix its name",
            },
            "key",
            [...path, key],
          );
        }
        break;
      }
      case "invalid_union": {
        const names = unionTypeNames(issue);
        if (names) {
          add({
            message: missing
              ? `missing required field "${String(field)}"`
              : `wrong type: got ${describeValue(actual)}`,
            expected: names.join(" or "),
            fix: missing ? `add "${String(field)}: …" here` : `change the value to ${names.join(" or ")}`,
          });
          break;
        }
        // The branch the value was most likely meant for: one whose type matched, and that got furthest.
        const closeness = (branch: readonly ZodIssue[]) =>
          branch.some((inner) => inner.path.length === 0 && inner.code === "invalid_type")
            ? -1
            : Math.max(...branch.map((inner) => inner.path.length));
        const best = [...issue.errors].sort((a, b) => closeness(b) - closeness(a))[0];
        if (best) problems.push(...problemsFromZod(best, value, schema, path));
        else add({ message: issue.message, fix: "make the value match exactly one of the allowed forms" });
        break;
      }
      case "invalid_key":
      case "invalid_element":
        problems.push(...problemsFromZod(issue.issues, value, schema, path));
        break;
      case "too_small":
      case "too_big": {
        const small = issue.code === "too_small";
        if (small && issue.origin === "string" && Number(issue.minimum) === 1) {
          add({ message: "must not be empty", expected: "a non-empty string", fix: "give it a value" });
          break;
        }
        const expected = limitText(
          issue.origin,
          small,
          issue.inclusive !== false,
          small ? issue.minimum : issue.maximum,
        );
        add({
          message: `${small ? "too small" : "too large"}: got ${describeValue(actual)}`,
          expected,
          fix: `use ${expected}`,
        });
        break;
      }
      case "invalid_format":
        add({
          message: issue.message,
          expected: `a valid ${issue.format}`,
          fix: `write a valid ${issue.format}`,
        });
        break;
      case "not_multiple_of":
        add({ message: issue.message, expected: `a multiple of ${issue.divisor}`, fix: "round the value" });
        break;
      default:
        add({ message: issue.message });
    }
  }
  return problems;
}
