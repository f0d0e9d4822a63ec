import { DutkitError } from "../core/errors.ts";

/** One requirement of a label selector, in the Kubernetes shape (spec 1.3, 3). */
export interface SelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values: string[];
}

/** A parsed label selector: every requirement must hold (comma = AND). */
export interface LabelSelector {
  /** The text it was parsed from, normalised (no extra spaces). */
  text: string;
  requirements: SelectorRequirement[];
}

export class SelectorError extends DutkitError {
  constructor(selector: string, problem: string) {
    super(
      "ERR_DUTKIT_SELECTOR",
      `invalid label selector ${JSON.stringify(selector)}: ${problem}; write it like "board=rpi4,site in (a,b),!broken"`,
    );
  }
}

const keyPattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string, selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (depth < 0 || depth > 1) throw new SelectorError(selector, "unbalanced parentheses");
    if (char === "," && depth === 0) {
      terms.push(current.trim());
      current = "";
    } else current += char;
  }
  if (depth !== 0) throw new SelectorError(selector, "unbalanced parentheses");
  terms.push(current.trim());
  return terms;
}

function checkKey(key: string, selector: string): string {
  if (!keyPattern.test(key) || key.length > 316) {
    throw new SelectorError(selector, `${JSON.stringify(key)} is not a valid label key`);
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!valuePattern.test(value) || value.length > 63) {
    throw new SelectorError(selector, `${JSON.stringify(value)} is not a valid label value`);
  }
  return value;
}

const setTerm = /^(\S+)\s+(in|notin)\s*\((.*)\)$/;
const compareTerm = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/;

function parseTerm(term: string, selector: string): SelectorRequirement & { equality?: true } {
  if (term === "")
    throw new SelectorError(selector, "an empty term (two commas in a row, or a trailing comma)");
  const set = setTerm.exec(term);
  if (set) {
    const values = set[3]!.split(",").map((v) => checkValue(v.trim(), selector));
    if (values.length === 1 && values[0] === "") {
      throw new SelectorError(selector, `"${term}" has no values inside the parentheses`);
    }
    return {
      key: checkKey(set[1]!, selector),
      operator: set[2] === "in" ? "In" : "NotIn",
      values: [...new Set(values)].sort(),
    };
  }
  const compare = compareTerm.exec(term);
  if (compare) {
    const value = checkValue(compare[3]!.trim(), selector);
    const key = checkKey(compare[1]!, selector);
    if (compare[2] === "!=") return { key, operator: "NotIn", values: [value] };
    return { key, operator: "In", values: [value], equality: true };
  }
  if (term.startsWith("!"))
    return { key: checkKey(term.slice(1).trim(), selector), operator: "DoesNotExist", values: [] };
  if (/\s/.test(term)) throw new SelectorError(selector, `cannot read the term "${term}"`);
  return { key: checkKey(term, selector), operator: "Exists", values: [] };
}

/**
 * Parses a Kubernetes label selector: comma = AND; `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k` (exists), `!k` (does not exist). An empty selector matches everything.
 * Two different equalities for one key are an error, as in `labels.Parse` (spec 3).
 */
export function parseSelector(selector: string): LabelSelector {
  const trimmed = selector.trim();
  if (trimmed === "") return { text: "", requirements: [] };
  const requirements: SelectorRequirement[] = [];
  const equal = new Map<string, string>();
  for (const term of splitTerms(trimmed, selector)) {
    const { equality, ...req } = parseTerm(term, selector);
    if (equality) {
      const seen = equal.get(req.key);
      if (seen !== undefined && seen !== req.values[0]) {
        throw new SelectorError(selector, `"${req.key}" must equal both "${seen}" and "${req.values[0]}"`);
      }
      equal.set(req.key, req.values[0]!);
    }
    requirements.push(req);
  }
  return { text: formatSelector(requirements), requirements };
}

/** Joins repeated `-l` options into one selector (spec 3: repeated selectors are ANDed). */
export function joinSelectors(selectors: readonly string[]): string {
  return selectors
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .join(",");
}

function formatRequirement(req: SelectorRequirement): string {
  switch (req.operator) {
    case "Exists":
      return req.key;
    case "DoesNotExist":
      return `!${req.key}`;
    case "In":
      return req.values.length === 1
        ? `${req.key}=${req.values[0]}`
        : `${req.key} in (${req.values.join(",")})`;
    case "NotIn":
      return req.values.length === 1
        ? `${req.key}!=${req.values[0]}`
        : `${req.key} notin (${req.values.join(",")})`;
  }
}

export function formatSelector(requirements: readonly SelectorRequirement[]): string {
  return requirements.map(formatRequirement).join(",");
}

/** Whether labels satisfy every requirement. */
export function matchesSelector(selector: LabelSelector | string, labels: Record<string, string>): boolean {
  const parsed = typeof selector === "string" ? parseSelector(selector) : selector;
  return parsed.requirements.every((req) => {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      case "In":
        return has && req.values.includes(value!);
      default:
        return !has || !req.values.includes(value!);
    }
  });
}

/**
 * The wire `jumpstarter.v1.LabelSelector` (legacy RequestLease): equalities as matchLabels, the
 * rest as matchExpressions, `!=` merged into NotIn.
 */
export function toWireSelector(selector: LabelSelector): {
  matchLabels: Record<string, string>;
  matchExpressions: SelectorRequirement[];
} {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: SelectorRequirement[] = [];
  for (const req of selector.requirements) {
    if (req.operator === "In" && req.values.length === 1 && matchLabels[req.key] === undefined) {
      matchLabels[req.key] = req.values[0]!;
    } else matchExpressions.push(req);
  }
  return { matchLabels, matchExpressions };
}

/** The selector text for a wire `LabelSelector`. */
export function fromWireSelector(wire: {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: string; values: string[] }[];
}): string {
  const requirements: SelectorRequirement[] = Object.entries(wire.matchLabels).map(([key, value]) => ({
    key,
    operator: "In",
    values: [value],
  }));
  for (const expr of wire.matchExpressions) {
    const operator = ["In", "NotIn", "Exists", "DoesNotExist"].includes(expr.operator)
      ? (expr.operator as SelectorRequirement["operator"])
      : "In";
    requirements.push({ key: expr.key, operator, values: expr.values });
  }
  return formatSelector(requirements);
}
