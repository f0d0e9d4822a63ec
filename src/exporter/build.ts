import { checkedDriverConfig } from "../config/entries.ts";
import {
  type DriverEntry,
  isRefEntry,
  isTypedEntry,
  type LoadedExporterConfig,
  type RefEntry,
} from "../config/types.ts";
import { Composite, type Driver } from "../core/driver.ts";
import { DutkitError } from "../core/errors.ts";
import { findDriverType } from "../core/registry.ts";

/** A driver tree: the root Composite plus the proxies (`ref:`) that point into it. */
export interface DriverTree {
  root: Driver;
  /** For each proxy: the parent it sits under, its name, and the driver it resolves to. */
  proxies: { parent: Driver; name: string; target: Driver }[];
}

/**
 * Builds a fresh driver tree from a checked config. Children are built before their parent
 * (a parent's constructor gets them); refs resolve once every real driver exists. If building
 * fails half-way, the drivers built so far are closed before the error is thrown.
 */
export async function buildDriverTree(loaded: LoadedExporterConfig): Promise<DriverTree> {
  const built: Driver[] = [];
  const refs: { parent: string[]; name: string; entry: RefEntry }[] = [];
  const byPath = new Map<string, Driver>();

  const buildEntries = async (entries: Record<string, DriverEntry>, path: string[]) => {
    const children: Record<string, Driver> = {};
    for (const [name, entry] of Object.entries(entries)) {
      if (isRefEntry(entry)) {
        refs.push({ parent: path, name, entry });
        continue;
      }
      children[name] = await buildEntry(entry, [...path, name]);
    }
    return children;
  };

  const buildEntry = async (entry: Exclude<DriverEntry, RefEntry>, path: string[]): Promise<Driver> => {
    const children = await buildEntries(entry.children ?? {}, path);
    const init = {
      labels: entry.labels,
      description: entry.description,
      methodsDescription: isTypedEntry(entry) ? entry.methods_description : undefined,
      children,
    };
    let driver: Driver;
    if (isTypedEntry(entry)) {
      const spec = findDriverType(entry.type);
      if (!spec) {
        throw new DutkitError(
          "ERR_DUTKIT_CONFIG",
          `${loaded.source}: export.${path.join(".")}: unknown driver type "${entry.type}"`,
        );
      }
      // A checked config's driver config was parsed by the check; one built by hand is parsed here.
      const config = (checkedDriverConfig(entry) ?? { parsed: spec.config.parse(entry.config ?? {}) }).parsed;
      try {
        driver = await spec.create(config, { init, configDir: loaded.dir });
      } catch (error) {
        // Say which file and entry the failure belongs to; the error keeps its class and code.
        if (error instanceof Error)
          error.message = `${loaded.source}: export.${path.join(".")}: ${error.message}`;
        throw error;
      }
    } else {
      driver = new Composite(init);
    }
    built.push(driver);
    byPath.set(path.join("."), driver);
    registerOwnChildren(driver, path);
    return driver;
  };

  /** Children a driver made itself (not from the config) become reachable by refs too. */
  const registerOwnChildren = (driver: Driver, path: string[]) => {
    for (const [name, child] of Object.entries(driver.children)) {
      const childPath = [...path, name].join(".");
      if (byPath.has(childPath)) continue;
      byPath.set(childPath, child);
      registerOwnChildren(child, [...path, name]);
    }
  };

  try {
    const children = await buildEntries(loaded.config.export, []);
    const root = new Composite({ description: loaded.config.description, children });
    byPath.set("", root);
    const proxies = refs.map(({ parent, name, entry }) => {
      const target = byPath.get(entry.ref);
      const parentDriver = byPath.get(parent.join("."));
      if (!target || !parentDriver) {
        throw new DutkitError(
          "ERR_DUTKIT_CONFIG",
          `${loaded.source}: export.${[...parent, name].join(".")}: ref "${entry.ref}" names no driver`,
        );
      }
      return { parent: parentDriver, name, target };
    });
    for (const proxy of proxies) proxy.parent.children[proxy.name] = proxy.target;
    return { root, proxies };
  } catch (error) {
    await Promise.allSettled(built.reverse().map((driver) => driver.close()));
    throw error;
  }
}
