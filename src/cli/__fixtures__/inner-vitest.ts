import { fileURLToPath } from "node:url";

/** The environment variable naming the inner run's output folder. */
export const INNER_OUTPUT_DIR_ENV = "DUTKIT_INNER_OUTPUT_DIR";

/** A vitest config for inner runs: the repo's projects, the report in $DUTKIT_INNER_OUTPUT_DIR. */
export const INNER_VITEST_CONFIG = fileURLToPath(new URL("./inner-vitest.config.ts", import.meta.url));
