// Module hooks registered by ts-loader.mjs: `.ts` files are transpiled (types removed) on load.
// No type checking here: `npm run typecheck` does that.
import { readFile } from "node:fs/promises";
import ts from "typescript";

const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  verbatimModuleSyntax: true,
  sourceMap: false,
  inlineSourceMap: true,
};

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const source = await readFile(new URL(url), "utf8");
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: url });
  return { format: "module", source: outputText, shortCircuit: true };
}
