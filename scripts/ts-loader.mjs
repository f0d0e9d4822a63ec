// Lets plain Node (20.x, which has no --experimental-strip-types) run this repository's
// TypeScript: `node --import ./scripts/ts-loader.mjs bench/tftp/run.ts`. Types are stripped
// with the TypeScript compiler the repository already depends on (see ts-hooks.mjs).
import { register } from "node:module";

register(new URL("./ts-hooks.mjs", import.meta.url));
