// Lets a plain `node` run this repository's TypeScript sources, for tests that need a child
// process of their own: `node --import ./ts-loader.mjs script.ts`. Node 20 cannot strip types
// itself; each .ts file is transpiled on its own with the project's TypeScript (no type check).
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

// The same file provides the hooks; they run on a loader thread, which must not register again.
if (isMainThread) register(import.meta.url);

let typescript;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  typescript ??= (await import("typescript")).default;
  const source = await readFile(new URL(url), "utf8");
  const { outputText } = typescript.transpileModule(source, {
    fileName: new URL(url).pathname,
    compilerOptions: {
      module: typescript.ModuleKind.ESNext,
      target: typescript.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
