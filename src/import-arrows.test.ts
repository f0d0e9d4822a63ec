/**
 * The folder layering as code: core ← protocol ← client/exporter/controller, and the file servers
 * (tftp, http) standing on leaf folders only. Production files only: tests and __fixtures__ may
 * import across layers to drive them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const srcRoot = dirname(fileURLToPath(import.meta.url));

interface ArrowRule {
  folder: string;
  /** Folders (or single files) under src/ this folder may import besides itself; all others are refused. */
  onlyFrom?: readonly string[];
  /** Folders under src/ this folder must not import. */
  notFrom?: readonly string[];
  why: string;
}

/** The error catalogue and its coded base class: leaves (checked below) that every folder may use. */
const errorLeaves = ["core/coded-error.ts", "core/error-codes.ts"] as const;

const rules: readonly ArrowRule[] = [
  { folder: "core", onlyFrom: [], why: "core is what every layer builds on" },
  { folder: "protocol", onlyFrom: ["core"], why: "the wire is shared by clients, exporters and controllers" },
  { folder: "net", onlyFrom: [...errorLeaves], why: "host and socket helpers are leaves" },
  { folder: "served-files", onlyFrom: [...errorLeaves], why: "the path sandbox is a leaf" },
  {
    folder: "tftp",
    onlyFrom: ["net", "served-files", ...errorLeaves],
    why: "the TFTP server is a library of its own",
  },
  {
    folder: "http",
    onlyFrom: ["net", "served-files", ...errorLeaves],
    why: "the HTTP file server is a library of its own",
  },
  {
    folder: "exporter",
    notFrom: ["client", "lease", "controller"],
    why: "an exporter serves; it takes nothing from client-side code or the controller",
  },
  {
    folder: "controller",
    notFrom: ["client", "lease", "exporter"],
    why: "the controller takes shared pieces from protocol/, not from its peers",
  },
];

function productionFiles(folder: string): string[] {
  return readdirSync(join(srcRoot, folder), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !/\.test(-d)?\.ts$/.test(name))
    .filter((name) => !name.split("/").includes("__fixtures__") && !name.startsWith("gen/"))
    .map((name) => join(folder, name));
}

/** Every relative module a file imports, re-exports or loads dynamically, as a path under src/. */
function importsOf(file: string, source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => relative(srcRoot, resolve(srcRoot, dirname(file), specifier)));
}

function isUnder(path: string, place: string): boolean {
  return path === place || path.startsWith(`${place}/`);
}

function violationsOf(rule: ArrowRule, file: string, imports: readonly string[]): string[] {
  return imports
    .filter((target) => !isUnder(target, rule.folder))
    .filter((target) =>
      rule.onlyFrom
        ? !rule.onlyFrom.some((place) => isUnder(target, place))
        : (rule.notFrom ?? []).some((place) => isUnder(target, place)),
    )
    .map((target) => `${file} -> ${target}`);
}

let scanned: string[] | undefined;

function allViolations(): string[] {
  scanned ??= rules.flatMap((rule) =>
    productionFiles(rule.folder).flatMap((file) =>
      violationsOf(rule, file, importsOf(file, readFileSync(join(srcRoot, file), "utf8"))),
    ),
  );
  return scanned;
}

describe("import arrows between src/ folders", () => {
  it("reads imports, re-exports, type imports and dynamic imports", () => {
    const source = [
      'import { a } from "../core/errors.ts";',
      'import type { B } from "./b.ts";',
      'export { c } from "../lease/c.ts";',
      'const d = await import("../client/d.ts");',
      'import { z } from "zod";',
    ].join("\n");
    expect(importsOf("protocol/x.ts", source)).toEqual([
      "core/errors.ts",
      "protocol/b.ts",
      "lease/c.ts",
      "client/d.ts",
    ]);
  });

  it("refuses what a rule forbids and nothing else", () => {
    const protocol = rules.find((rule) => rule.folder === "protocol")!;
    const controller = rules.find((rule) => rule.folder === "controller")!;
    expect(
      violationsOf(protocol, "protocol/x.ts", ["core/errors.ts", "protocol/y.ts", "lease/z.ts"]),
    ).toEqual(["protocol/x.ts -> lease/z.ts"]);
    expect(violationsOf(controller, "controller/x.ts", ["config/a.ts", "exporter/grpc/b.ts"])).toEqual([
      "controller/x.ts -> exporter/grpc/b.ts",
    ]);
  });

  it.each(rules.map((rule) => [rule.folder, rule] as const))("src/%s points one way", (folder, rule) => {
    const found = allViolations().filter((arrow) => arrow.startsWith(`${folder}/`));
    expect(found, `${rule.why}; move the shared piece down a layer (core, protocol, net)`).toEqual([]);
  });

  it("keeps the error catalogue and its base class free of imports", () => {
    for (const file of errorLeaves) {
      expect(importsOf(file, readFileSync(join(srcRoot, file), "utf8")), file).toEqual([]);
    }
  });
});
