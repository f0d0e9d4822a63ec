// Runs the benchmarks, each `bench/<name>/run.ts`, through the TypeScript loader, one after
// the other (they measure time: never in parallel).
//
//   node scripts/bench.mjs                 every benchmark
//   node scripts/bench.mjs tftp            only bench/tftp
//   node scripts/bench.mjs tftp -- --runs 3   arguments after -- go to each benchmark
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repository = fileURLToPath(new URL("..", import.meta.url));
const benchDirectory = new URL("../bench/", import.meta.url);
const loader = fileURLToPath(new URL("./ts-loader.mjs", import.meta.url));

const separator = process.argv.indexOf("--");
const names = process.argv.slice(2, separator === -1 ? undefined : separator);
const forwarded = separator === -1 ? [] : process.argv.slice(separator + 1);

const available = readdirSync(benchDirectory, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/run.ts`, benchDirectory)))
  .map((entry) => entry.name)
  .sort();
const unknown = names.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`No benchmark named ${unknown.join(", ")}: choose from ${available.join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const name of names.length > 0 ? names : available) {
  console.log(`\n## ${name}\n`);
  const script = fileURLToPath(new URL(`${name}/run.ts`, benchDirectory));
  const result = spawnSync(process.execPath, ["--import", loader, script, ...forwarded], {
    cwd: repository,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed++;
    console.error(`Benchmark ${name} failed (exit ${result.status ?? result.signal}); its output is above.`);
  }
}
process.exit(failed > 0 ? 1 : 0);
