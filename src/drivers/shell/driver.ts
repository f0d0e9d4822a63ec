import { z } from "zod";
import { Driver, type DriverInit, type MethodTable, type MethodTableOf } from "../../core/driver.ts";
import { FailedPreconditionError, InvalidArgumentError } from "../../core/errors.ts";
import { checkCallArgs, checkCallEnv } from "./call-arguments.ts";
import { methodsOf, type ShellConfig, type ShellMethod } from "./config.ts";
import type { ShellInterface, ShellOutputItem } from "./contract.ts";
import { ProcessGroup } from "./process-group.ts";

/** The return code a timed-out method reports, as Jumpstarter's Shell does. */
export const TIMEOUT_EXIT_CODE = 199;
/** How long a script gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 5000;

export interface ShellOptions {
  /** Absolute working directory of the scripts; default: the exporter's. */
  cwd?: string | undefined;
  init?: DriverInit;
}

/**
 * Jumpstarter's Shell driver: each configured method is a script, run as
 * `shell + [script, method, ...args]` (so `$0` is the method name and `$1…` the arguments) in a
 * process group of its own, with its output streamed back as it arrives.
 *
 * A call ends when the script has exited and its stdout and stderr are closed: a background
 * process that keeps them open keeps the call running (redirect its output to let the call
 * end). Background processes left running are killed with their group on `close()`.
 */
export class Shell extends Driver implements ShellInterface {
  static override readonly clientId = "jumpstarter_driver_shell.client.ShellClient";
  static override readonly methods: MethodTable = {
    get_methods: { kind: "unary", description: "Names of the configured methods" },
    call_method: {
      kind: "stream",
      description: "Run a configured method: (method, env, ...args) → [stdout, stderr, returncode | null]…",
      // Values are checked by call-arguments.ts, whose messages say what a shell method takes.
      args: z
        .tuple([z.string().describe("method"), z.unknown().describe("env")])
        .rest(z.unknown().describe("args")),
    },
  } satisfies MethodTableOf<ShellInterface>;

  private readonly shell: readonly string[];
  private readonly cwd: string | undefined;
  private readonly configured: Map<string, ShellMethod>;
  /** Groups that may still have running members: calls in flight and their leftovers. */
  private readonly groups = new Set<ProcessGroup>();
  private closed = false;

  constructor(config: ShellConfig, options: ShellOptions = {}) {
    const configured = methodsOf(config);
    const descriptions: Record<string, string> = {};
    for (const [name, method] of configured) {
      if (method.description !== undefined) descriptions[name] = method.description;
    }
    // As in Jumpstarter, a description in the method's config wins over methods_description.
    const init = options.init ?? {};
    super({ ...init, methodsDescription: { ...init.methodsDescription, ...descriptions } });
    this.shell = config.shell;
    this.cwd = options.cwd;
    this.configured = configured;
  }

  get_methods(): string[] {
    return [...this.configured.keys()];
  }

  async *call_method(method: unknown, env: unknown, ...args: unknown[]): AsyncGenerator<ShellOutputItem> {
    const [name, spec] = this.methodNamed(method);
    const callEnv = checkCallEnv(name, env);
    const scriptArgs = checkCallArgs(name, args);
    if (this.closed) throw this.closedError(name);
    const [program, ...shellArgs] = this.shell;
    const group = await ProcessGroup.start(program!, [...shellArgs, spec.script, name, ...scriptArgs], {
      env: { ...process.env, ...callEnv },
      cwd: this.cwd,
    });
    this.groups.add(group);
    // close() may have run while the script was starting, and then did not see this group.
    if (this.closed) {
      await this.stop(group);
      throw this.closedError(name);
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void this.stop(group);
    }, spec.timeoutSeconds * 1000);
    let outputEnded = false;
    try {
      for await (const [stdout, stderr] of group.output()) yield [stdout, stderr, null];
      outputEnded = true;
      clearTimeout(timer);
      const status = await group.exitStatus;
      if (timedOut) {
        await this.stop(group);
        yield [
          "",
          `\nTimeout expired while running ${name}: it ran longer than ${spec.timeoutSeconds} s and its ` +
            "process group was killed; raise the method's timeout in the Shell config if it needs longer\n",
          TIMEOUT_EXIT_CODE,
        ];
      } else {
        yield ["", "", status];
      }
    } finally {
      clearTimeout(timer);
      if (!outputEnded) void this.stop(group);
      else if (!group.hasRunningMembers()) this.groups.delete(group);
    }
  }

  /** Kills every process group this driver started that still has running members. */
  override async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.groups].map((group) => this.stop(group)));
  }

  private async stop(group: ProcessGroup): Promise<void> {
    await group.terminate(KILL_GRACE_MS);
    this.groups.delete(group);
  }

  private closedError(method: string): FailedPreconditionError {
    return new FailedPreconditionError(
      `call_method("${method}"): the Shell driver is closed; open a new session`,
    );
  }

  private methodNamed(method: unknown): [string, ShellMethod] {
    const spec = typeof method === "string" ? this.configured.get(method) : undefined;
    if (typeof method !== "string" || spec === undefined) {
      const known = [...this.configured.keys()].join(", ") || "none";
      throw new InvalidArgumentError(
        `call_method: unknown method ${JSON.stringify(method)}; the configured methods are: ${known}`,
      );
    }
    return [method, spec];
  }
}
