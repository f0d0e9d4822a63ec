import { z } from "zod";
import { type DriverTypeSpec, findDriverType, listDriverTypes } from "../core/registry.ts";
import { type FieldPath, type IssueList, isPlainObject } from "./issues.ts";
import { withoutNulls } from "./schema.ts";
import { closestFirst, closestMatches, quoteList } from "./suggest.ts";
import type { CompositeEntry, DriverEntry, RefEntry, TypedDriverEntry } from "./types.ts";
import { problemsFromZod } from "./zod-problems.ts";

const children = z.record(z.string(), z.unknown());
const labels = z.record(z.string(), z.string());

const refShape = z.strictObject({ ref: z.string().min(1) });
const typedShape = z.strictObject({
  type: z.string().min(1),
  config: z.record(z.string(), z.unknown()).nullish(),
  children: children.nullish(),
  description: z.string().nullish(),
  methods_description: z.record(z.string(), z.string()).nullish(),
  labels: labels.nullish(),
});
const compositeShape = z.strictObject({
  children,
  description: z.string().nullish(),
  labels: labels.nullish(),
});

const entryForms =
  'a map with "type" (a driver), only "children" (a group of drivers) or only "ref" (a proxy to another driver)';

/**
 * Checks the `export` tree entry by entry: each entry's form, its driver type against the
 * registry, its `config` against that type's schema, and the children the type takes. Returns
 * the checked entries; problems go to `issues`. Refs are only checked for form here.
 */
export function checkExportEntries(
  entries: Record<string, unknown>,
  path: FieldPath,
  issues: IssueList,
): Record<string, DriverEntry> {
  const checked: Record<string, DriverEntry> = {};
  for (const [name, raw] of Object.entries(entries)) {
    const entry = checkEntry(raw, [...path, name], issues);
    if (entry) checked[name] = entry;
  }
  return checked;
}

function validateShape<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  path: FieldPath,
  issues: IssueList,
): z.output<S> | undefined {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  for (const problem of problemsFromZod(result.error.issues, raw, schema)) {
    issues.add([...path, ...problem.path], problem, problem.at);
  }
  return undefined;
}

function checkEntry(raw: unknown, path: FieldPath, issues: IssueList): DriverEntry | undefined {
  if (!isPlainObject(raw)) {
    issues.add(path, {
      message: "not a driver entry",
      expected: entryForms,
      fix: 'write e.g. "{type: MockPower}", "{children: {...}}" or "{ref: board.power}"',
    });
    return undefined;
  }
  if ("ref" in raw) return checkRef(raw, path, issues);
  if ("type" in raw) return checkTyped(raw, path, issues);
  if ("children" in raw) return checkComposite(raw, path, issues);
  issues.add(path, {
    message: 'the entry has no "type", "children" or "ref"',
    expected: entryForms,
    fix: 'add "type: <driver type>" (see `dutkit drivers` for the known types)',
  });
  return undefined;
}

function checkRef(raw: Record<string, unknown>, path: FieldPath, issues: IssueList): RefEntry | undefined {
  for (const key of Object.keys(raw)) {
    if (key === "ref") continue;
    issues.add(
      [...path, key],
      {
        message: `a ref entry takes no other fields, but has "${key}"`,
        expected: 'only "ref: <dotted path>"',
        fix: `remove "${key}", or set it on the driver the ref points at`,
      },
      "key",
    );
  }
  return validateShape(refShape, { ref: raw.ref }, path, issues);
}

function checkComposite(
  raw: Record<string, unknown>,
  path: FieldPath,
  issues: IssueList,
): CompositeEntry | undefined {
  const shape = validateShape(compositeShape, raw, path, issues);
  const kids = isPlainObject(raw.children)
    ? checkExportEntries(raw.children, [...path, "children"], issues)
    : {};
  if (!shape) return undefined;
  return { ...withoutNulls({ ...shape, children: undefined }), children: kids };
}

function checkTyped(
  raw: Record<string, unknown>,
  path: FieldPath,
  issues: IssueList,
): TypedDriverEntry | undefined {
  const shape = validateShape(typedShape, raw, path, issues);
  const kids = isPlainObject(raw.children)
    ? checkExportEntries(raw.children, [...path, "children"], issues)
    : {};
  if (typeof raw.type !== "string" || raw.type === "") return undefined;
  const spec = findDriverType(raw.type);
  if (!spec) {
    issues.add([...path, "type"], unknownTypeProblem(raw.type));
    return undefined;
  }
  const config = checkDriverConfig(spec, raw.config ?? {}, [...path, "config"], issues);
  const childrenOk = checkChildPolicy(spec, raw.children, path, issues);
  if (!shape || !config || !childrenOk) return undefined;
  const entry: TypedDriverEntry = withoutNulls({ ...shape, children: undefined, config: undefined });
  // `config` stays as written; the parsed one (with defaults) is what the driver is built from.
  if (isPlainObject(raw.config)) entry.config = raw.config;
  if (Object.keys(kids).length > 0) entry.children = kids;
  checkedConfigs.set(entry, config.parsed);
  return entry;
}

/** Each checked entry's driver config as its type's schema parsed it. */
const checkedConfigs = new WeakMap<TypedDriverEntry, unknown>();

/**
 * The driver config of an entry that came out of the check, as parsed then, so building the
 * driver does not check it again; undefined for an entry made some other way.
 */
export function checkedDriverConfig(entry: TypedDriverEntry): { parsed: unknown } | undefined {
  return checkedConfigs.has(entry) ? { parsed: checkedConfigs.get(entry) } : undefined;
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

/** A likely meant type name: judged by class name, so `pkg.driver.PySerial` does not suggest `pkg.driver.MockPower`. */
function suggestType(type: string, names: readonly string[]): string | undefined {
  const [segment] = closestMatches(lastSegment(type), names.map(lastSegment), 1);
  if (segment === undefined) return undefined;
  const sameClass = names.filter((name) => lastSegment(name) === segment);
  const sameForm = sameClass.filter((name) => name.includes(".") === type.includes("."));
  return closestFirst(type, sameForm.length > 0 ? sameForm : sameClass)[0];
}

function unknownTypeProblem(type: string) {
  const specs = listDriverTypes();
  if (specs.length === 0) {
    return {
      message: `unknown driver type "${type}": no driver types are registered`,
      fix: 'import "dutkit" (or the module that registers your driver types) before loading the config',
    };
  }
  const suggestion = suggestType(
    type,
    specs.flatMap((spec) => [spec.id, ...(spec.aliases ?? [])]),
  );
  const ids = closestFirst(
    type,
    specs.map((spec) => spec.id),
  );
  let fix = "use a type listed by `dutkit drivers`, or register your own with registerDriverType()";
  if (suggestion !== undefined) fix = `did you mean "${suggestion}"?`;
  else if (type.startsWith("jumpstarter_driver_"))
    fix = `dutkit does not implement this Jumpstarter driver; ${fix}`;
  return {
    message: `unknown driver type "${type}"`,
    expected: `one of ${quoteList(ids)} (or their Jumpstarter class paths)`,
    fix,
  };
}

function checkDriverConfig(
  spec: DriverTypeSpec,
  config: unknown,
  path: FieldPath,
  issues: IssueList,
): { parsed: unknown } | undefined {
  if (!isPlainObject(config)) return undefined; // the entry's shape check reported it
  const result = spec.config.safeParse(config);
  if (result.success) return { parsed: result.data };
  for (const problem of problemsFromZod(result.error.issues, config, spec.config)) {
    issues.add([...path, ...problem.path], problem, problem.at);
  }
  return undefined;
}

function checkChildPolicy(spec: DriverTypeSpec, kids: unknown, path: FieldPath, issues: IssueList): boolean {
  const names = isPlainObject(kids) ? Object.keys(kids) : [];
  const accepts = spec.children?.accepts ?? "none";
  let ok = true;
  if (accepts === "none" && names.length > 0) {
    ok = false;
    issues.add(
      [...path, "children"],
      {
        message: `driver type "${spec.id}" takes no children, but has ${quoteList(names)}`,
        fix: 'remove "children", or put the drivers next to it in a group ({children: {...}})',
      },
      "key",
    );
  }
  const missing = (spec.children?.required ?? []).filter((name) => !names.includes(name));
  if (missing.length > 0) {
    ok = false;
    issues.add(isPlainObject(kids) ? [...path, "children"] : path, {
      message: `driver type "${spec.id}" needs the children ${quoteList(missing)}`,
      expected: `children named ${quoteList(missing)}`,
      fix: `add them under "children:", e.g. "${missing[0]}: {ref: <path of an existing driver>}"`,
    });
  }
  return ok;
}
