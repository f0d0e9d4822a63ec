import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseExporterConfig } from "../config/index.ts";
import type { LoadedExporterConfig } from "../config/types.ts";
import { DutkitError, messageOf } from "../core/errors.ts";
import { type ExporterSource, loadExporter } from "../exporter/local.ts";
import { Session } from "../exporter/session.ts";
import { type Board, type BoardEvents, type BoardSource, boardOver } from "./board.ts";

/**
 * Reads and checks a YAML exporter config at once (synchronously), as a test file is collected:
 * its driver names are needed before any fixture runs. A config object is left to `acquireBoard`,
 * which checks it when the board is acquired.
 */
export function loadExporterFileNow(exporter: ExporterSource): LoadedExporterConfig | undefined {
  if (typeof exporter !== "string" && !(exporter instanceof URL)) return undefined;
  const path = exporter instanceof URL ? fileURLToPath(exporter) : resolve(exporter);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new DutkitError(
      "ERR_DUTKIT_CONFIG_NOT_FOUND",
      `cannot read exporter config ${path} (${messageOf(error)}); relative paths resolve against ${process.cwd()}, or pass new URL("./exporter.yaml", import.meta.url)`,
    );
  }
  return parseExporterConfig(text, path, dirname(path));
}

/**
 * A fresh local session from the source's exporter config, or from `loaded` when the config was
 * loaded already (at collection time).
 */
export async function openLocalBoard(
  leaseId: string,
  source: BoardSource,
  loaded: LoadedExporterConfig | undefined,
  events: BoardEvents = {},
): Promise<Board> {
  if (source.exporter === undefined) {
    throw new DutkitError(
      "ERR_DUTKIT_NO_BOARD",
      "no board to test: give an exporter config (exporter: './exporter.yaml' or defineExporter({...})), or set JUMPSTARTER_HOST",
    );
  }
  const config = loaded ?? (await loadExporter(source.exporter));
  const { name, labels = {} } = config.config.metadata;
  events.onExporter?.({ name, labels: { ...labels } });
  const session = await Session.open(config);
  return boardOver(
    session,
    {
      leaseId,
      kind: "local",
      exporter: { name: session.name, labels: session.labels },
      selector: source.selector,
      session,
    },
    { ...(events.onReleased ? { onReleased: events.onReleased } : {}) },
  );
}
