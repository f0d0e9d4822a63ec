/**
 * Benchmarks run our code as JavaScript, not TypeScript through the loader: the loader keeps the
 * TypeScript compiler in memory (about 100 MiB) and would count in a process's CPU time, peak
 * RSS and start-up. Files are transpiled once per benchmark run into a temporary directory that
 * mirrors the repository's layout and is removed when the benchmark exits.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const repository = fileURLToPath(new URL("../", import.meta.url));
const compilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  verbatimModuleSyntax: true,
  rewriteRelativeImportExtensions: true,
};

function transpile(source: string, outputRoot: string): void {
  const output = join(outputRoot, relative(repository, source)).replace(/\.ts$/, ".js");
  mkdirSync(dirname(output), { recursive: true });
  const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), {
    compilerOptions,
    fileName: source,
  });
  writeFileSync(output, outputText);
}

/** Every .ts file under `dir` except tests and test fixtures. */
export function typescriptSources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__fixtures__") found.push(...typescriptSources(path));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
      found.push(path);
    }
  }
  return found;
}

/**
 * Transpiles `sources` (absolute paths in the repository) into a fresh temporary directory with
 * `packageJson` at its top and the repository folders `links` (such as build/ for the native
 * addon) linked in; returns the directory.
 */
export function transpileToTemp(
  prefix: string,
  sources: string[],
  options: { links: string[]; packageJson: Record<string, unknown> },
): string {
  const outputRoot = mkdtempSync(join(tmpdir(), prefix));
  process.once("exit", () => rmSync(outputRoot, { recursive: true, force: true }));
  writeFileSync(join(outputRoot, "package.json"), `${JSON.stringify(options.packageJson)}\n`);
  for (const source of sources) transpile(source, outputRoot);
  for (const link of options.links) symlinkSync(join(repository, link), join(outputRoot, link));
  return outputRoot;
}
