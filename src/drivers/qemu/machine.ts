import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  DeadlineExceededError,
  DutkitError,
  FailedPreconditionError,
  InternalError,
  messageOf,
} from "../../core/errors.ts";
import { qemuArguments } from "./command-line.ts";
import { type QemuConfig, type ResolvedQemu, resolveQemu } from "./config.ts";
import { ConsoleHub } from "./console-hub.ts";
import { type ExitStatus, SupervisedProcess } from "./supervised-process.ts";

/**
 * One QEMU virtual board: the process (while powered on), its serial line and a private
 * directory for the console socket. Power changes are serialized.
 */
export class QemuMachine {
  /** QEMU's `-name`; unique per board, so a test can find this board's processes. */
  readonly name = `dutkit-${randomUUID()}`;
  readonly console: ConsoleHub;
  private readonly config: QemuConfig;
  private readonly configDir: string;
  private process: SupervisedProcess | undefined;
  private dir: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Checks the config (QEMU program, firmware) now, so a bad config fails when the board is built. */
  constructor(config: QemuConfig, configDir: string) {
    resolveQemu(config, configDir);
    this.config = config;
    this.configDir = configDir;
    this.console = new ConsoleHub(config.console_backlog);
  }

  /** Whether QEMU runs. */
  get powered(): boolean {
    return this.process?.running ?? false;
  }

  /** The supervisor's pid (also its process group id) while powered. */
  get supervisorPid(): number | undefined {
    return this.process?.running ? this.process.pid : undefined;
  }

  on(): Promise<void> {
    return this.serialized(() => this.start());
  }

  off(): Promise<void> {
    return this.serialized(() => this.stop());
  }

  /** Powers off, ends the console streams and removes the board's directory. */
  close(): Promise<void> {
    return this.serialized(async () => {
      this.closed = true;
      try {
        await this.stop();
      } finally {
        this.console.close();
        if (this.dir) rmSync(this.dir, { recursive: true, force: true });
        this.dir = undefined;
      }
    });
  }

  private serialized(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => {});
    return next;
  }

  private async start(): Promise<void> {
    if (this.closed) throw new FailedPreconditionError("the QEMU board is closed; open a new session");
    if (this.powered) return;
    let qemu: ResolvedQemu;
    try {
      qemu = resolveQemu(this.config, this.configDir);
    } catch (error) {
      throw new FailedPreconditionError(messageOf(error), { cause: error });
    }
    this.dir ??= mkdtempSync(join(tmpdir(), "dutkit-qemu-"));
    const socketPath = join(this.dir, "console.sock");
    rmSync(socketPath, { force: true });
    const listener = await listen(socketPath);
    try {
      const args = qemuArguments(qemu, { name: this.name, consoleSocket: socketPath });
      const child = await SupervisedProcess.start(qemu.binary, args, this.config.stop_timeout * 1000);
      this.process = child;
      const socket = await this.firstConnection(listener, child, qemu.binary);
      this.console.clearBacklog();
      this.console.attach(socket);
      void child.exited.then(() => {
        if (this.process === child) this.console.detach();
      });
    } finally {
      listener.close();
      rmSync(socketPath, { force: true });
    }
  }

  /** Waits (bounded) for QEMU to connect its serial port; a QEMU that exits first is an error. */
  private async firstConnection(listener: Server, child: SupervisedProcess, binary: string): Promise<Socket> {
    const timeoutMs = this.config.start_timeout * 1000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      new Promise<Socket>((resolve) => listener.once("connection", resolve)),
      child.exited,
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (isSocket(outcome)) return outcome;
    await child.stop(this.config.stop_timeout * 1000);
    this.process = undefined;
    const stderr = child.stderrTail();
    const said = stderr ? `; it said:\n${stderr}` : "";
    if (outcome === "timeout") {
      throw new DeadlineExceededError(
        `${basename(binary)} did not connect its serial console within ${this.config.start_timeout} s${said}; ` +
          "raise start_timeout in the Qemu config if this host is slow",
      );
    }
    throw new InternalError(
      `${basename(binary)} exited (${describeExit(outcome)}) before its serial console connected${said}; ` +
        "check machine, cpu, mem, bios and extra_args in the Qemu config",
    );
  }

  private async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.console.detach();
    await child.stop(this.config.stop_timeout * 1000);
    if (child.running) {
      throw new InternalError(
        `QEMU (supervisor pid ${child.pid}) is still running after SIGKILL to its process group; ` +
          `kill it by hand (kill -KILL -${child.pid}) and check for a stuck disk or NFS mount`,
      );
    }
    this.process = undefined;
  }
}

function isSocket(value: unknown): value is Socket {
  return typeof value === "object" && value !== null && "remoteAddress" in value;
}

function describeExit(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `code ${status.code}`;
}

async function listen(path: string): Promise<Server> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw new DutkitError(
      "ERR_DUTKIT_QEMU_CONSOLE",
      `could not listen on ${path} for QEMU's serial console: ${messageOf(error)}; check that ${tmpdir()} is writable`,
      { cause: error },
    );
  }
  server.unref();
  return server;
}
