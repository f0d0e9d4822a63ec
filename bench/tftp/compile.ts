/**
 * Our server's child process runs compiled JavaScript, not TypeScript through the loader: the
 * loader keeps the TypeScript compiler in memory (about 100 MiB), which would otherwise count
 * in the server's peak RSS and start-up. Transpiled once per benchmark run into a temporary
 * directory that is removed when the benchmark exits.
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

let compiled: string | undefined;

function transpile(source: string, outputRoot: string): void {
  const output = join(outputRoot, relative(repository, source)).replace(/\.ts$/, ".js");
  mkdirSync(dirname(output), { recursive: true });
  const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), {
    compilerOptions,
    fileName: source,
  });
  writeFileSync(output, outputText);
}

/** Path of the compiled server-child.js (compiling on first use). */
export function compiledServerChild(): string {
  if (compiled) return compiled;
  const outputRoot = mkdtempSync(join(tmpdir(), "dutkit-tftp-bench-js-"));
  process.once("exit", () => rmSync(outputRoot, { recursive: true, force: true }));
  writeFileSync(join(outputRoot, "package.json"), '{ "type": "module" }\n');
  const engine = join(repository, "src/tftp");
  for (const name of readdirSync(engine)) {
    if (name.endsWith(".ts") && !name.endsWith(".test.ts")) transpile(join(engine, name), outputRoot);
  }
  transpile(join(repository, "bench/tftp/server-child.ts"), outputRoot);
  // The native read loop is found relative to src/tftp/, as in the repository.
  symlinkSync(join(repository, "build"), join(outputRoot, "build"));
  compiled = join(outputRoot, "bench/tftp/server-child.js");
  return compiled;
}
