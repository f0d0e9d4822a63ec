/**
 * dutkit's CLI (for `dutkit run`) and the benchmark's dutkit client, transpiled to JavaScript
 * once per benchmark run (as bench/tftp/compile.ts does), so neither the exporter nor the client
 * runs the TypeScript loader, whose compiler would count in their CPU time and start-up.
 * The output mirrors the repository's layout in a temporary directory removed on exit;
 * node_modules and build/ (the native addon) are linked in.
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

const repository = fileURLToPath(new URL("../../", import.meta.url));
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
function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__fixtures__") found.push(...sources(path));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
      found.push(path);
    }
  }
  return found;
}

export interface Compiled {
  /** src/cli/main.js: the dutkit CLI. */
  cli: string;
  /** bench/jumpstarter/ts-client.js. */
  client: string;
}

let compiled: Compiled | undefined;

export function compileDutkit(): Compiled {
  if (compiled) return compiled;
  const outputRoot = mkdtempSync(join(tmpdir(), "dutkit-jumpstarter-bench-js-"));
  process.once("exit", () => rmSync(outputRoot, { recursive: true, force: true }));
  const { name, version } = JSON.parse(readFileSync(join(repository, "package.json"), "utf8"));
  writeFileSync(join(outputRoot, "package.json"), `${JSON.stringify({ name, version, type: "module" })}\n`);
  for (const source of sources(join(repository, "src"))) transpile(source, outputRoot);
  transpile(join(repository, "bench/jumpstarter/ts-client.ts"), outputRoot);
  symlinkSync(join(repository, "node_modules"), join(outputRoot, "node_modules"));
  symlinkSync(join(repository, "build"), join(outputRoot, "build"));
  compiled = {
    cli: join(outputRoot, "src/cli/main.js"),
    client: join(outputRoot, "bench/jumpstarter/ts-client.js"),
  };
  return compiled;
}
