/** Our TFTP server's child process, as JavaScript (see bench/transpile.ts for why). */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repository, transpileToTemp } from "../transpile.ts";

let compiled: string | undefined;

/** Path of the compiled server-child.js (compiling on first use). */
export function compiledServerChild(): string {
  if (compiled) return compiled;
  const engine = join(repository, "src/tftp");
  const sources = readdirSync(engine)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => join(engine, name));
  // The native read loop is found relative to src/tftp/, as in the repository: build/ is linked.
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
