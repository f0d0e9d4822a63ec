// Opens an exporter config as a board for driver tests, one of two ways: in-process (the client
// tree calls the Session directly) or over gRPC (the Session served on a unix socket in a temp
// dir and reached through GrpcTransport, as a remote client reaches it). Test-only: not built.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GrpcTransport } from "../client/grpc/index.ts";
import { buildClientTree } from "../client/tree.ts";
import {
  type ClientTreeOf,
  checkExporterConfig,
  type ExporterConfig,
  type LoadedExporterConfig,
  parseExporterConfig,
} from "../config/index.ts";
import { serveSession } from "../exporter/grpc/index.ts";
import { loadExporter, openLocalSession } from "../exporter/local.ts";
import type { Session } from "../exporter/session.ts";

export type Wire = "in-process" | "grpc";

/** Both wires, for `describe.each(WIRES)("… (%s)", (wire) => …)`. */
export const WIRES: readonly Wire[] = ["in-process", "grpc"];

/** An exporter config as YAML text, a YAML file's URL, or an object (e.g. `defineExporter`). */
export type BoardConfig = string | URL | ExporterConfig;

export interface OpenBoardOptions {
  /** Where relative paths in YAML text or an object resolve (default: the current directory). */
  dir?: string;
  /** Bound of each step of close() (default 15 s). */
  closeStepMs?: number;
}

export interface TestBoard<Tree = ClientTreeOf<ExporterConfig>> {
  wire: Wire;
  /** The root client: `board.client.power` and so on. */
  client: Tree;
  /**
   * The exporter side, in this process for both wires: for faults a test injects there and for
   * what only the driver can show. Clients go through `client`, never through this.
   */
  session: Session;
  /** What the clients call through: the Session itself, or the gRPC transport. */
  transport: Session | GrpcTransport;
  /** Closes the client side, the server and the session; idempotent, each step bounded. */
  close(): Promise<void>;
}

const CLOSE_STEP_MS = 15_000;
/** How long closing the server lets calls in flight finish before it cuts them. */
const SHUTDOWN_GRACE_MS = 2_000;

/** Wraps an ExporterConfig's entries (`export:`) in the rest of the document. */
export function exporterConfig(exports: ExporterConfig["export"], name = "test-board"): ExporterConfig {
  return {
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ExporterConfig",
    metadata: { name },
    export: exports,
  };
}

export async function openBoard<C extends BoardConfig>(
  config: C,
  wire: Wire,
  options: OpenBoardOptions = {},
): Promise<TestBoard<ClientTreeOf<C>>> {
  const session = await openLocalSession(await loadBoardConfig(config, options.dir ?? process.cwd()));
  const stepMs = options.closeStepMs ?? CLOSE_STEP_MS;
  if (wire === "in-process") {
    const closing = once(() => runSteps([["close the session", () => session.close()]], stepMs));
    try {
      const client = buildClientTree(await session.report(), session) as ClientTreeOf<C>;
      return { wire, client, session, transport: session, close: closing };
    } catch (error) {
      await closing().catch(() => {});
      throw error;
    }
  }
  // Closed client first, session last; each step is added once what it closes exists.
  const steps: Step[] = [["close the session", () => session.close()]];
  const closing = once(() => runSteps(steps, stepMs));
  try {
    const dir = await mkdtemp(join(tmpdir(), "dutkit-board-"));
    steps.push(["remove the socket's directory", () => rm(dir, { recursive: true, force: true })]);
    const served = await serveSession(session, {
      listen: join(dir, "exporter.sock"),
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
    });
    steps.unshift(["stop serving the session", () => served.close()]);
    const transport = await GrpcTransport.connect(served.address);
    steps.unshift(["close the gRPC client", () => transport.close()]);
    const client = buildClientTree(await transport.report(), transport) as ClientTreeOf<C>;
    return { wire, client, session, transport, close: closing };
  } catch (error) {
    await closing().catch(() => {});
    throw error;
  }
}

async function loadBoardConfig(config: BoardConfig, dir: string): Promise<LoadedExporterConfig> {
  if (config instanceof URL) return loadExporter(config);
  if (typeof config === "string") return parseExporterConfig(config, "<test board YAML>", dir);
  return checkExporterConfig(config, "<test board>", dir);
}

type Step = [what: string, run: () => Promise<unknown>];

/** Runs every step, each within `stepMs`, even after one fails; then throws the first failure. */
async function runSteps(steps: readonly Step[], stepMs: number): Promise<void> {
  const failures: unknown[] = [];
  for (const [what, run] of steps) {
    try {
      await within(stepMs, what, run());
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new AggregateError(failures, `closing the test board: ${failures.length} steps failed`);
}

async function within(ms: number, what: string, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `closing the test board: "${what}" did not finish within ${ms} ms; a driver's close() ` +
              "or a call still in flight hangs: end the test's streams and calls before close()",
          ),
        ),
      ms,
    );
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}
