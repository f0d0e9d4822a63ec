/**
 * What the vitest and Playwright fixtures share, with no runner in it: what is known of a board
 * when a test file is collected (its config, loaded once, and the shortcut fixture names), the
 * shortcut and `exporter` fixtures' values, and the record of one test's use of the board (its
 * calls and console transcripts), which each adapter writes where its runner keeps such things.
 */
import type { CallStats } from "../client/call-stats.ts";
import type { DriverClient } from "../client/client.ts";
import type { ClientTreeOf, DriversDescription } from "../config/define.ts";
import type { ExporterConfig, LoadedExporterConfig } from "../config/types.ts";
import { DutkitError } from "../core/errors.ts";
import { recentTranscripts } from "../expect/transcript.ts";
import type { Session } from "../exporter/session.ts";
import type { Board, BoardSource, SharedBoard } from "./board.ts";
import { loadExporterFileNow } from "./local.ts";
import { type LeaseWait, leaseWaitOf } from "./remote.ts";

/**
 * Names a driver shortcut must not take: our own fixtures and the runners' built-in ones. A driver
 * with one of these names is still reachable as `client.<name>`.
 */
const RESERVED = [
  "board",
  "exporter",
  "client",
  "task",
  "expect",
  "skip",
  "signal",
  "annotate",
  "onTestFailed",
  "onTestFinished",
  "page",
  "context",
  "browser",
  "browserName",
  "request",
] as const;
const RESERVED_FIXTURE_NAMES: ReadonlySet<string> = new Set(RESERVED);

/** One fixture per top-level driver of client tree `C`, but for the reserved names. */
export type Shortcuts<C> = Omit<
  { [K in keyof C as K extends keyof DriverClient ? never : K]: C[K] },
  (typeof RESERVED)[number]
>;

/** A client tree whose shape is not known to the type system (a YAML config, a list of names). */
export type AnyClientTree = DriverClient & Record<string, any>;

/** The client tree a source gives: typed by its `drivers` description, else by a `defineExporter` config. */
export type ClientOfSource<S> = S extends { drivers: infer D extends DriversDescription }
  ? ClientTreeOf<D>
  : S extends { exporter: infer E extends ExporterConfig }
    ? ClientTreeOf<E>
    : AnyClientTree;

/** How long a board leased by selector may take to come free; not counted against any test's timeout. */
export interface LeaseWaitOptions {
  /**
   * Give up waiting for a free board after this long, with a LeaseWaitTimeoutError that names the
   * holders; default `DUTKIT_LEASE_WAIT_TIMEOUT`, else 10 minutes.
   */
  leaseWaitTimeoutMs?: number;
  /** A "waiting for lease" line at least this often; default `DUTKIT_LEASE_WAIT_PROGRESS`, else 30 s. */
  leaseWaitProgressMs?: number;
}

/** Time for connecting to a leased board once it is free (the tunnel and the first report). */
const CONNECT_MS = 60_000;

/** What is known of a board when its test file is collected, before any fixture runs. */
export interface CollectedSource {
  /**
   * The YAML exporter config, read and checked now: hand it to `acquireBoard` (`loaded`) so it is
   * not read and checked again. Undefined for a config object (checked when the board is acquired)
   * and for a source without a config.
   */
  loaded: LoadedExporterConfig | undefined;
  /**
   * The top-level driver names that become shortcut fixtures (all but the reserved ones): those of
   * the exporter config, those declared in `drivers`, and those of the board held for the run.
   */
  shortcutNames: string[];
  /** The wait for a board leased by selector, from the fixture's options and the environment. */
  leaseWait: Required<LeaseWait>;
  /**
   * The timeout the board's setup gets: for a board leased by selector, the wait's own plus time
   * to connect (so the wait is not counted against a test's timeout); else undefined (the runner's).
   */
  setupTimeoutMs: number | undefined;
}

/**
 * Collects a board source for a test file, with the fixture's lease-wait options and the board
 * held for the run, if any. A YAML config that does not load fails here, at once, with the config
 * error; a board leased by selector only has the names `drivers` declares.
 */
export function collectSource(
  source: BoardSource,
  options: LeaseWaitOptions = {},
  shared?: SharedBoard,
): CollectedSource {
  const leaseWait = leaseWaitOf({
    ...(options.leaseWaitTimeoutMs !== undefined ? { timeoutMs: options.leaseWaitTimeoutMs } : {}),
    ...(options.leaseWaitProgressMs !== undefined ? { progressEveryMs: options.leaseWaitProgressMs } : {}),
  });
  const setupTimeoutMs = source.selector !== undefined ? leaseWait.timeoutMs + CONNECT_MS : undefined;
  const { exporter } = source;
  const loaded = exporter === undefined ? undefined : loadExporterFileNow(exporter);
  const configured =
    loaded?.config ?? (typeof exporter === "object" && !(exporter instanceof URL) ? exporter : undefined);
  const names = new Set([
    ...Object.keys(configured?.export ?? {}),
    ...declaredNamesOf(source),
    ...(shared?.drivers ?? []),
  ]);
  const shortcutNames = [...names].filter((name) => !RESERVED_FIXTURE_NAMES.has(name));
  return { loaded, shortcutNames, leaseWait, setupTimeoutMs };
}

function declaredNamesOf({ drivers }: BoardSource): string[] {
  if (drivers === undefined) return [];
  if (Array.isArray(drivers) && drivers.every((name) => typeof name === "string")) return [...drivers];
  const entries = (drivers as Partial<DriversDescription>).export;
  if (!Array.isArray(drivers) && typeof entries === "object" && entries !== null) return Object.keys(entries);
  throw new DutkitError(
    "ERR_DUTKIT_BAD_DRIVERS",
    `drivers must be a list of driver names (drivers: ["power", "shell"]) or the description \`dutkit types <exporter.yaml>\` generates; got ${JSON.stringify(drivers)}`,
  );
}

/** A test asked for a driver the board does not have. */
export class MissingDriverError extends DutkitError {
  constructor(board: Board<unknown>, name: string, present: readonly string[]) {
    const selector = board.selector === undefined ? "" : `, selector ${board.selector}`;
    super(
      "ERR_DUTKIT_NO_SUCH_DRIVER",
      `the board has no driver "${name}" (exporter ${board.exporter.name}, lease ${board.leaseId}${selector}); ` +
        `its top-level drivers are ${present.length > 0 ? present.join(", ") : "none"}: ` +
        `use one of those names, or choose a board whose exporter exports "${name}"`,
    );
  }
}

/** The value of a shortcut fixture: the top-level driver `name` of `board`'s client tree `client`. */
export function driverOf(client: unknown, name: string, board: Board<unknown>): DriverClient {
  const { children } = client as DriverClient;
  const driver = Object.hasOwn(children, name) ? children[name] : undefined;
  if (driver === undefined) throw new MissingDriverError(board, name, Object.keys(children));
  return driver;
}

/** The shortcut fixtures, one per name; each goes through `client`, which records the test's calls. */
export function shortcutFixtures(names: readonly string[]) {
  const fixtures: Record<
    string,
    (deps: { board: Board; client: unknown }, use: (driver: DriverClient) => Promise<void>) => Promise<void>
  > = {};
  for (const name of names) {
    fixtures[name] = async ({ board, client }, use) => use(driverOf(client, name, board));
  }
  return fixtures;
}

/** The `exporter` fixture was asked of a board whose drivers run elsewhere. */
export class RemoteBoardError extends DutkitError {
  constructor(board: Board<unknown>) {
    super(
      "ERR_DUTKIT_REMOTE_BOARD",
      `board ${board.leaseId} is remote: its drivers run on the exporter; use the client fixture instead of exporter`,
    );
  }
}

/** The value of the `exporter` fixture: the board's local session, which a remote board has not. */
export function localSessionOf(board: Board<unknown>): Session {
  if (!board.session) throw new RemoteBoardError(board);
  return board.session;
}

export interface ConsoleTranscript {
  /** The console's name, e.g. the driver path `serial`. */
  name: string;
  /** Human-readable transcript: `<` bytes from the device, `>` bytes sent, `#` what the console did. */
  text: string;
}

/** One test's use of a board, for the lease-usage report. */
export interface TestBoardRecord {
  leaseId: string;
  /** The calls the test made through the board's client. */
  calls: CallStats;
  /** What each console in this process saw and sent while the test ran (not those inside a remote exporter). */
  consoles: ConsoleTranscript[];
}

/**
 * Hands `board.client` to a test (`use`), then gives `write` the record of the test's use of the
 * board, whether the test passed or not.
 */
export async function useRecordedClient<C>(
  board: Board<C>,
  use: (client: C) => Promise<void>,
  write: (record: TestBoardRecord) => Promise<void>,
): Promise<void> {
  const before = board.calls();
  const since = Date.now();
  try {
    await use(board.client);
  } finally {
    await write({
      leaseId: board.leaseId,
      calls: board.callsSince(before),
      consoles: consoleTranscriptsSince(since),
    });
  }
}

/**
 * The parts of every console transcript in this process recorded since `since` (a `Date.now()`
 * value): what one test saw and sent.
 */
function consoleTranscriptsSince(since: number): ConsoleTranscript[] {
  return recentTranscripts(since)
    .map((transcript) => {
      const entries = transcript.slice(since);
      return { name: transcript.name, text: entries.length ? transcript.format(entries) : "" };
    })
    .filter((transcript) => transcript.text !== "");
}
