/**
 * The TypeScript source that `dutkit types <exporter.yaml>` writes: the board's driver tree as a
 * `DriversDescription` constant (types, refs, children, and only the part of each config that a
 * client type reads), and its client tree type. Passed as `drivers` to `boardTest` or
 * `describeBoard`, it types the fixtures of a YAML board as `defineExporter` types a TS one.
 */
import { findDriverType } from "../core/registry.ts";
import { type DriverEntry, isRefEntry, isTypedEntry, type LoadedExporterConfig } from "./types.ts";

type Literal = string | { [key: string]: Literal };

/** How the generated file says it was made, so it can be made again. */
export interface DescriptionOrigin {
  /** The command line, e.g. `dutkit types ./exporter.yaml -o exporter.drivers.ts`. */
  command: string;
  /** The command names its files relative to the generated file's folder. */
  inItsFolder: boolean;
}

const LINE_WIDTH = 100;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `mock-board` → `mockBoard` (and `MockBoard`); a name without letters gives `board`. */
function nameWords(name: string): string[] {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (words.length === 0 || /^[0-9]/.test(words[0]!)) words.unshift("board");
  return words;
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export function descriptionNames(exporterName: string): { value: string; type: string } {
  const [first, ...rest] = nameWords(exporterName);
  const camel = [first!.charAt(0).toLowerCase() + first!.slice(1), ...rest.map(capitalized)].join("");
  return { value: `${camel}Drivers`, type: `${capitalized(camel)}Client` };
}

function describeEntry(entry: DriverEntry): Literal {
  if (isRefEntry(entry)) return { ref: entry.ref };
  const described: Record<string, Literal> = {};
  if (isTypedEntry(entry)) {
    described.type = entry.type;
    const spec = findDriverType(entry.type);
    const typed = spec?.typedConfig?.(spec.config.parse(entry.config ?? {}));
    if (typed && Object.keys(typed).length > 0) described.config = asLiteral(typed);
  }
  if (entry.children && (Object.keys(entry.children).length > 0 || !isTypedEntry(entry))) {
    described.children = describeEntries(entry.children);
  }
  return described;
}

function describeEntries(entries: Record<string, DriverEntry>): Literal {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, describeEntry(entry)]));
}

function asLiteral(value: unknown): Literal {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asLiteral(item)]));
  }
  throw new Error(`a typedConfig value must be a string or a map of them; got ${JSON.stringify(value)}`);
}

const key = (name: string) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));

function oneLine(value: Literal): string {
  if (typeof value === "string") return JSON.stringify(value);
  const members = Object.entries(value).map(([name, item]) => `${key(name)}: ${oneLine(item)}`);
  return members.length === 0 ? "{}" : `{ ${members.join(", ")} }`;
}

/** `value` after `prefix` at `indent`: on one line when it fits, else one member per line. */
function printed(value: Literal, indent: string, prefix: string): string {
  const flat = oneLine(value);
  if (typeof value === "string" || indent.length + prefix.length + flat.length + 1 <= LINE_WIDTH) return flat;
  const inner = `${indent}  `;
  const members = Object.entries(value).map(
    ([name, item]) => `${inner}${key(name)}: ${printed(item, inner, `${key(name)}: `)},`,
  );
  return `{\n${members.join("\n")}\n${indent}}`;
}

/** The generated file's text for a checked exporter config. */
export function driversDescriptionSource(loaded: LoadedExporterConfig, origin: DescriptionOrigin): string {
  const exporter = loaded.config.metadata.name;
  const names = descriptionNames(exporter);
  const entries = describeEntries(loaded.config.export) as Record<string, Literal>;
  const exportMembers = Object.entries(entries).map(
    ([name, entry]) => `    ${key(name)}: ${printed(entry, "    ", `${key(name)}: `)},`,
  );
  return [
    `// Generated${origin.inItsFolder ? " in this folder" : ""} by \`${origin.command}\` from exporter`,
    `// ${exporter}: its drivers, for typed fixtures (boardTest({ ..., drivers: ${names.value} })).`,
    "// Do not edit; run it again after changing the YAML (with --check, it says whether that is due).",
    'import type { ClientTreeOf } from "dutkit";',
    "",
    `/** The drivers of exporter ${exporter}. */`,
    `export const ${names.value} = {`,
    "  export: {",
    ...exportMembers,
    "  },",
    "} as const;",
    "",
    `/** The client tree of exporter ${exporter}. */`,
    `export type ${names.type} = ClientTreeOf<typeof ${names.value}>;`,
    "",
  ].join("\n");
}
