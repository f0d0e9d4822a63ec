import { findDriverType } from "../core/registry.ts";
import { type IssueList, isPlainObject } from "./issues.ts";
import { closestMatches, quoteList } from "./suggest.ts";

// Works on the raw `export` map, so a ref into an entry that has other problems is still judged
// by the names that exist, and one mistake does not cascade into "missing" refs.

type Entries = Record<string, unknown>;

interface RefSite {
  /** Names from the root of `export` to the ref entry. */
  names: string[];
  target: string;
}

type Resolution =
  | { kind: "ok"; names: string[] }
  /** `inRef`: the failure is in another ref on the way, which reports it itself. */
  | { kind: "missing"; found: string[]; missing: string; available: string[]; inRef?: boolean }
  /** `chain`: the dotted paths of the refs that lead to each other, the first one repeated at the end. */
  | { kind: "chain-cycle"; chain: string[] };

const dottedPath = /^[^.\s]+(\.[^.\s]+)*$/;

function childrenOf(entry: unknown): Entries {
  const own = isPlainObject(entry) && isPlainObject(entry.children) ? entry.children : {};
  const type = isPlainObject(entry) && typeof entry.type === "string" ? entry.type : undefined;
  const provided = type === undefined ? [] : (findDriverType(type)?.provides ?? []);
  if (provided.length === 0) return own;
  // Children a driver makes itself stand in as plain entries, so refs can name them.
  return { ...Object.fromEntries(provided.map((name) => [name, { type: `${type}#${name}` }])), ...own };
}

function refOf(entry: unknown): string | undefined {
  return isPlainObject(entry) && typeof entry.ref === "string" ? entry.ref : undefined;
}

/** The YAML path of an entry: `export.a.children.b`. */
function entryPath(names: readonly string[]): (string | number)[] {
  return ["export", ...names.flatMap((name, i) => (i === 0 ? [name] : ["children", name]))];
}

function exportPath(names: readonly string[]): string {
  return names.length === 0 ? "export" : `export.${names.join(".")}`;
}

class RefResolver {
  constructor(private readonly root: Entries) {}

  entryAt(names: readonly string[]): unknown {
    let entries = this.root;
    let entry: unknown;
    for (const name of names) {
      entry = entries[name];
      entries = childrenOf(entry);
    }
    return entry;
  }

  /** Follows a dotted path, through refs on the way, to the real (non-ref) entry it names. */
  resolve(target: string, chain: readonly string[]): Resolution {
    let entries = this.root;
    let names: string[] = [];
    for (const name of target.split(".")) {
      if (!Object.hasOwn(entries, name)) {
        return { kind: "missing", found: names, missing: name, available: Object.keys(entries) };
      }
      let here = [...names, name];
      const ref = refOf(entries[name]);
      if (ref !== undefined && dottedPath.test(ref)) {
        const key = here.join(".");
        if (chain.includes(key))
          return { kind: "chain-cycle", chain: [...chain.slice(chain.indexOf(key)), key] };
        const inner = this.resolve(ref, [...chain, key]);
        if (inner.kind === "missing") return { ...inner, inRef: true };
        if (inner.kind !== "ok") return inner;
        here = inner.names;
      }
      names = here;
      entries = childrenOf(this.entryAt(names));
    }
    return { kind: "ok", names };
  }
}

function collectRefs(entries: Entries, names: string[], sites: RefSite[]): void {
  for (const [name, entry] of Object.entries(entries)) {
    const ref = refOf(entry);
    if (ref !== undefined) sites.push({ names: [...names, name], target: ref });
    else collectRefs(childrenOf(entry), [...names, name], sites);
  }
}

/**
 * Checks every `ref`: it must name an existing driver by its dotted path from the root of
 * `export`, and following refs must end. A ref may not lead back to itself or to one of its own
 * ancestors (directly or through other refs), since the driver tree would then be infinite.
 */
export function checkRefs(exportMap: Entries, issues: IssueList): void {
  const resolver = new RefResolver(exportMap);
  const sites: RefSite[] = [];
  collectRefs(exportMap, [], sites);
  const reportedCycles = new Set<string>();
  const targets = new Map<string, string[]>();

  for (const site of sites) {
    const at = [...entryPath(site.names), "ref"];
    if (!dottedPath.test(site.target)) {
      issues.add(at, {
        message: `ref "${site.target}" is not a dotted path`,
        expected: 'names from the root of export joined by dots, e.g. "board.power"',
        fix: "write the path of an existing driver without spaces or empty parts",
      });
      continue;
    }
    const result = resolver.resolve(site.target, [site.names.join(".")]);
    if (result.kind === "ok") {
      targets.set(site.names.join("."), result.names);
    } else if (result.kind === "missing" && !result.inRef) {
      const near = closestMatches(result.missing, result.available);
      issues.add(at, {
        message: `ref "${site.target}" names no driver: ${exportPath(result.found)} has no child "${result.missing}"`,
        expected: result.available.length
          ? `one of ${quoteList(result.available)} after "${result.found.join(".") || "export"}"`
          : `a path through entries that have children`,
        fix: near[0]
          ? `did you mean "${[...result.found, near[0]].join(".")}"?`
          : "point it at an existing driver",
      });
    } else if (result.kind === "chain-cycle") {
      const key = [...new Set(result.chain)].sort().join("|");
      if (!reportedCycles.has(key)) {
        reportedCycles.add(key);
        issues.add([...entryPath(result.chain[0]!.split(".")), "ref"], {
          message: `ref cycle: ${result.chain.map((names) => `export.${names}`).join(" → ")}`,
          fix: "point one of these refs at a real driver (an entry with type or children)",
        });
      }
    }
  }
  checkLoops(exportMap, targets, issues, reportedCycles);
}

/**
 * With refs resolved, the tree is a graph whose nodes are real entries. It is finite only if no
 * path from the root comes back to a node it passed: that happens when a ref leads to its own
 * ancestor, or two refs lead into each other's subtrees.
 */
function checkLoops(
  exportMap: Entries,
  targets: Map<string, string[]>,
  issues: IssueList,
  reportedCycles: Set<string>,
): void {
  const resolver = new RefResolver(exportMap);
  const done = new Set<string>();
  const stack: { node: string; viaRef?: string[] }[] = [];

  const visit = (names: string[], viaRef: string[] | undefined): void => {
    const node = names.join(".");
    const open = stack.findIndex((frame) => frame.node === node);
    if (open >= 0) {
      const loop = [...stack.slice(open + 1).map((frame) => frame.viaRef), viaRef];
      const refs = loop.filter((ref): ref is string[] => ref !== undefined);
      const first = refs[0];
      const key = refs.map((ref) => ref.join(".")).join("|");
      if (first && !reportedCycles.has(key)) {
        reportedCycles.add(key);
        const shown = refs.map(
          (ref) => `export.${ref.join(".")} → ${exportPath(targets.get(ref.join(".")) ?? [])}`,
        );
        issues.add([...entryPath(first), "ref"], {
          message:
            refs.length === 1
              ? `ref ${shown[0]} points at its own ancestor, so the driver tree would be infinite`
              : `refs loop: ${shown.join(", ")} leads back to ${exportPath(names)}, so the driver tree would be infinite`,
          fix: `point the ref at a driver outside ${exportPath(names)}`,
        });
      }
      return;
    }
    if (done.has(node)) return;
    stack.push(viaRef ? { node, viaRef } : { node });
    const entries = names.length === 0 ? exportMap : childrenOf(resolver.entryAt(names));
    for (const [name, entry] of Object.entries(entries)) {
      const here = [...names, name];
      if (refOf(entry) === undefined) visit(here, undefined);
      else {
        const target = targets.get(here.join("."));
        if (target) visit(target, here);
      }
    }
    stack.pop();
    done.add(node);
  };
  visit([], undefined);
}
