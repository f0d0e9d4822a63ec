// `node --import ./ts-register.mjs src/cli/main.ts …` runs the CLI from its TypeScript sources.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
