import { DutkitError, NotImplementedError } from "../core/errors.ts";
import {
  CLIENT_LABEL,
  type DriverReport,
  DUTKIT_CLIENT_LABEL,
  type ExporterReport,
  NAME_LABEL,
  type Transport,
} from "../core/transport.ts";
import { type ClientInit, DriverClient, findClientClass } from "./client.ts";

/**
 * Stands in for a driver we have no client for. It keeps its children reachable, and any use
 * of a method throws an error that names the driver and its client class.
 */
export class StubClient extends DriverClient {
  constructor(init: ClientInit) {
    super(init);
    const clientId = init.report.labels[CLIENT_LABEL] ?? "(none)";
    const fail = () => {
      throw new NotImplementedError(
        `dutkit has no client for driver "${init.path || "(root)"}" (client class ${clientId}); ` +
          "use a driver type dutkit implements, or call its methods with client.call(method, ...args)",
      );
    };
    // biome-ignore lint/correctness/noConstructorReturn: the stub is a guard around the instance.
    return new Proxy(this, {
      get(target, key, receiver) {
        if (typeof key === "symbol" || key in target || key === "then" || key === "toJSON") {
          return Reflect.get(target, key, receiver);
        }
        return fail;
      },
    });
  }
}

/**
 * Relates GetReport entries by list index: each entry's parent is the latest earlier entry with
 * the parent's uuid (proxies repeat uuids, spec 2.8). Paths are dotted names from the root.
 */
export function indexReports(reports: readonly DriverReport[]) {
  const lastSeen = new Map<string, number>();
  const childrenOf: number[][] = reports.map(() => []);
  const paths: string[] = [];
  reports.forEach((entry, index) => {
    const parent = entry.parentUuid === undefined ? undefined : lastSeen.get(entry.parentUuid);
    if (entry.parentUuid !== undefined && parent === undefined) {
      throw new DutkitError(
        "ERR_DUTKIT_BAD_REPORT",
        `driver report ${index} names parent ${entry.parentUuid}, which was not reported before it`,
      );
    }
    const name = entry.labels[NAME_LABEL] ?? String(index);
    const parentPath = parent === undefined ? undefined : paths[parent]!;
    paths.push(parentPath === undefined ? "" : parentPath ? `${parentPath}.${name}` : name);
    if (parent !== undefined) childrenOf[parent]!.push(index);
    lastSeen.set(entry.uuid, index);
  });
  return { childrenOf, paths };
}

export interface BuildOptions {
  /**
   * Which client classes may be used (fnmatch-style globs over the client id, spec 2.8);
   * "UNSAFE" allows all. Default: all (an in-process exporter is trusted).
   */
  allow?: readonly string[] | "UNSAFE";
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/**
 * Builds the client tree from a GetReport answer. Proxies repeat uuids, so the tree is built by
 * list index: each entry's parent is the latest earlier entry with the parent's uuid.
 */
export function buildClientTree(report: ExporterReport, transport: Transport, options: BuildOptions = {}) {
  const { reports } = report;
  if (reports.length === 0) {
    throw new DutkitError(
      "ERR_DUTKIT_EMPTY_REPORT",
      "the exporter reported no drivers; check its export config",
    );
  }
  const allow = options.allow ?? "UNSAFE";
  const allowed =
    allow === "UNSAFE" ? () => true : (id: string) => allow.some((glob) => globToRegExp(glob).test(id));
  const { childrenOf, paths } = indexReports(reports);
  const build = (index: number): DriverClient => {
    const entry = reports[index]!;
    const children: Record<string, DriverClient> = {};
    for (const childIndex of childrenOf[index]!) {
      const name = reports[childIndex]!.labels[NAME_LABEL] ?? String(childIndex);
      children[name] = build(childIndex);
    }
    const init: ClientInit = { report: entry, path: paths[index]!, transport, children };
    // Our richer client is used only where the Jumpstarter client it extends is allowed.
    const clientId = entry.labels[CLIENT_LABEL];
    if (clientId !== undefined && allowed(clientId)) {
      const cls = findClientClass(entry.labels[DUTKIT_CLIENT_LABEL]) ?? findClientClass(clientId);
      if (cls) return new cls(init);
    }
    return new StubClient(init);
  };
  const root = reports.findIndex((entry) => entry.parentUuid === undefined);
  return build(root);
}
