import { test } from "vitest";
import { loadExporter } from "../../../src/exporter/local.ts";

// This file cannot load: it reads a broken config at import time, so none of its tests runs.
await loadExporter(new URL("./boards/bad-config.yaml", import.meta.url));

test("never runs", () => {});
