/**
 * dutkit's CLI (for `dutkit run`) and the benchmark's dutkit client as JavaScript (see
 * bench/transpile.ts for why), with node_modules and build/ (the native addon) linked in.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repository, transpileToTemp, typescriptSources } from "../transpile.ts";

export interface Compiled {
  /** src/cli/main.js: the dutkit CLI. */
  cli: string;
  /** bench/jumpstarter/ts-client.js. */
  client: string;
}

let compiled: Compiled | undefined;

export function compileDutkit(): Compiled {
  if (compiled) return compiled;
  const { name, version } = JSON.parse(readFileSync(join(repository, "package.json"), "utf8"));
  const sources = [
    ...typescriptSources(join(repository, "src")),
    join(repository, "bench/jumpstarter/ts-client.ts"),
  ];
  const outputRoot = transpileToTemp("dutkit-jumpstarter-bench-js-", sources, {
    links: ["node_modules", "build"],
    packageJson: { name, version, type: "module" },
  });
  compiled = {
    cli: join(outputRoot, "src/cli/main.js"),
    client: join(outputRoot, "bench/jumpstarter/ts-client.js"),
  };
  return compiled;
}
