#!/usr/bin/env node
// The `dutkit` bin. The built-in drivers are registered here, so every known type is available.
import "../drivers/index.ts";
import { run } from "./program.ts";

process.exitCode = await run(process.argv.slice(2));
