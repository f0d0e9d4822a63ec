import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type ScalarTag,
  type Tags,
  type YAMLMap,
} from "yaml";
import { type FieldPath, IssueList, type Locator, type Position } from "./issues.ts";

// Jumpstarter reads configs with PyYAML, which speaks YAML 1.1: `yes`/`on` are booleans and
// `0644` is octal. The `yaml` package's 1.1 schema matches that, except that it also reads
// `y`/`n` as booleans, which PyYAML keeps as strings; those two are narrowed to PyYAML's forms.
const pyYamlTrue = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const pyYamlFalse = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

function pyYamlTags(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== "object" || tag.tag !== "tag:yaml.org,2002:bool" || !("test" in tag)) return tag;
    const scalar = tag as ScalarTag;
    return { ...scalar, test: scalar.test?.test("true") ? pyYamlTrue : pyYamlFalse };
  });
}

export interface YamlSource {
  /** The document as plain data; undefined when the YAML itself is broken. */
  value: unknown;
  /** Problems found so far; later checks add theirs, positioned in this document. */
  issues: IssueList;
}

type Doc = Document.Parsed;

function isMergeKey(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === "symbol";
}

function resolveNode(doc: Doc, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The pair for `key`: the map's own (the last, as loading keeps the last) before merged ones. */
function findPair(doc: Doc, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  const own = map.items.filter((pair) => isScalar(pair.key) && String(pair.key.value) === key).at(-1);
  if (own || depth > 20) return own;
  for (const pair of map.items) {
    if (!isMergeKey(pair)) continue;
    const value = resolveNode(doc, pair.value);
    const sources = isSeq(value) ? value.items.map((item) => resolveNode(doc, item)) : [value];
    for (const source of sources) {
      const found = isMap(source) ? findPair(doc, source, key, depth + 1) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

function positionAt(lines: LineCounter, node: unknown): Position | undefined {
  const range = (node as Node | null)?.range;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}

function makeLocator(doc: Doc, lines: LineCounter): Locator {
  const start = positionAt(lines, doc.contents) ?? { line: 1, column: 1 };
  return (path, at) => {
    let node = resolveNode(doc, doc.contents);
    let closest = start;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = findPair(doc, node, String(segment));
        if (!pair) return closest;
        const keyPosition = positionAt(lines, pair.key) ?? closest;
        if (last && at === "key") return keyPosition;
        closest = keyPosition;
        node = resolveNode(doc, pair.value);
        if (last) return positionAt(lines, node) ?? keyPosition;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) return closest;
        closest = positionAt(lines, item) ?? closest;
        node = resolveNode(doc, item);
        if (last) return closest;
      } else {
        return closest;
      }
    }
    return positionAt(lines, node) ?? closest;
  };
}

function describeKey(key: unknown): string {
  if (isScalar(key)) return key.source !== undefined ? String(key.source) : String(key.value);
  return "a complex key";
}

/** Keys must be strings (as Jumpstarter reads them) and unique within their map. */
function checkKeys(doc: Doc, lines: LineCounter, issues: IssueList): void {
  const walk = (node: unknown, where: FieldPath, depth: number): void => {
    if (depth > 100) return;
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, [...where, i], depth + 1);
      });
      return;
    }
    if (!isMap(node)) return;
    const seen = new Map<string, Pair>();
    for (const pair of node.items) {
      if (!isPair(pair) || isMergeKey(pair)) continue;
      const key = pair.key;
      if (!isScalar(key) || typeof key.value !== "string") {
        const text = describeKey(key);
        issues.addAt(positionAt(lines, key), [...where, text], {
          message: `key ${text} is read as ${isScalar(key) ? typeof key.value : "a structure"}, not as a name`,
          expected: "a string key",
          fix: `put it in quotes: "${text}":`,
        });
        continue;
      }
      const earlier = seen.get(key.value);
      if (earlier) {
        const line = positionAt(lines, earlier.key)?.line;
        issues.addAt(positionAt(lines, key), [...where, key.value], {
          message: `duplicate key "${key.value}"${line ? ` (first defined on line ${line})` : ""}`,
          expected: "each name once per map",
          fix: "rename one of them, or merge the two into one",
        });
      }
      seen.set(key.value, pair);
      walk(pair.value, [...where, key.value], depth + 1);
    }
  };
  walk(doc.contents, [], 0);
}

/**
 * Parses one YAML document, keeping positions. Broken YAML, non-string keys and duplicate keys
 * are the first issues; when the YAML itself is broken, `value` is undefined.
 */
export function readYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    version: "1.1",
    customTags: pyYamlTags,
    uniqueKeys: false,
    prettyErrors: false,
  });
  const issues = new IssueList(file, makeLocator(doc, lines));
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const { line, col } = lines.linePos(problem.pos[0]);
    issues.addAt({ line, column: col }, [], {
      message: `${problem.name === "YAMLWarning" ? "YAML problem" : "invalid YAML"}: ${problem.message}`,
      fix: yamlFix(problem.code),
    });
  }
  if (doc.errors.length > 0) return { value: undefined, issues };
  checkKeys(doc, lines, issues);
  try {
    return { value: doc.toJS({ maxAliasCount: 1000 }), issues };
  } catch (error) {
    issues.addAt({ line: 1, column: 1 }, [], {
      message: `the YAML cannot be loaded: ${(error as Error).message}`,
      fix: "use fewer aliases (*name), or write the values out",
    });
    return { value: undefined, issues };
  }
}

function yamlFix(code: string): string {
  switch (code) {
    case "MULTIPLE_DOCS":
      return "put one exporter config per file (remove the --- separator)";
    case "TAB_AS_INDENT":
      return "indent with spaces, not tabs";
    case "TAG_RESOLVE_FAILED":
      return "remove the !tag; plain YAML values are enough";
    default:
      return "fix the YAML syntax here (check indentation, quotes and brackets)";
  }
}
