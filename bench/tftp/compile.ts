/** Our TFTP server's child process and the dutkit CLI, as JavaScript (see bench/transpile.ts for why). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repository, transpileToTemp, typescriptSources } from "../transpile.ts";

let compiled: string | undefined;
let compiledMain: string | undefined;

/** Path of the compiled server-child.js (compiling on first use). */
export function compiledServerChild(): string {
  if (compiled) return compiled;
  // The engine and the leaves it may import (src/import-arrows.test.ts): net, served-files and the
  // error catalogue.
  const folders = ["src/tftp", "src/net", "src/served-files"].map((folder) => join(repository, folder));
  const sources = [
    ...folders.flatMap((folder) =>
      readdirSync(folder)
        .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
        .map((name) => join(folder, name)),
    ),
    join(repository, "src/core/coded-error.ts"),
    join(repository, "src/core/error-codes.ts"),
  ];
  // The native read loop is found as in the repository: build/ is linked.
  const outputRoot = transpileToTemp(
    "dutkit-tftp-bench-js-",
    [...sources, join(repository, "bench/tftp/server-child.ts")],
    {
      links: ["build"],
      packageJson: { type: "module" },
    },
  );
  compiled = join(outputRoot, "bench/tftp/server-child.js");
  return compiled;
}

/** Path of the compiled `dutkit` bin (src/cli/main.js), run as a user runs dist/src/cli/main.js. */
export function compiledCli(): string {
  if (compiledMain) return compiledMain;
  const { name, version } = JSON.parse(readFileSync(join(repository, "package.json"), "utf8"));
  const outputRoot = transpileToTemp("dutkit-tftp-bench-cli-", typescriptSources(join(repository, "src")), {
    links: ["node_modules", "build"],
    packageJson: { name, version, type: "module" },
  });
  compiledMain = join(outputRoot, "src/cli/main.js");
  return compiledMain;
}
