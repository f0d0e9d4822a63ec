import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { setTimeout as sleep } from "node:timers/promises";
import { InternalError, messageOf } from "../../core/errors.ts";
import { groupHasRunningMembers, signalGroup } from "./group-members.ts";

const POLL_MS = 50;
/** Output chunks held for a slow reader before the script is made to wait on its pipes. */
const MAX_QUEUED_CHUNKS = 64;

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string | undefined;
}

/** A piece of output: text from stdout, text from stderr; one of them is empty. */
export type OutputChunk = [stdout: string, stderr: string];

/**
 * A program started as the leader of a new process group, so that it and everything it starts
 * can be signalled at once. Its stdout and stderr are decoded as UTF-8 as they arrive, keeping
 * multi-byte characters whole across reads. Stdin is /dev/null.
 */
export class ProcessGroup {
  readonly pgid: number;
  /**
   * Settles once the leader has exited and the output pipes are closed: its exit code, or
   * minus the number of the signal that killed it (as Python reports a return code).
   */
  readonly exitStatus: Promise<number>;
  private readonly child: ChildProcess;
  private readonly queue: OutputChunk[] = [];
  private outputEnded = false;
  private wakeReader: (() => void) | undefined;
  private terminating: Promise<void> | undefined;
  /** Once the group is seen empty its id may be reused by another group: never signal it again. */
  private empty = false;

  static async start(program: string, args: readonly string[], options: StartOptions): Promise<ProcessGroup> {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        // Stays attached after the spawn: a later "error" must not crash the process.
        child.once("error", reject);
      });
    } catch (error) {
      const where = options.cwd === undefined ? "" : ` in ${options.cwd}`;
      throw new InternalError(
        `could not start ${program}${where}: ${messageOf(error)}; check the Shell config's shell and cwd`,
        { cause: error },
      );
    }
    return new ProcessGroup(child);
  }

  private constructor(child: ChildProcess) {
    this.child = child;
    this.pgid = child.pid!;
    this.relay(child.stdout!, (text) => [text, ""]);
    this.relay(child.stderr!, (text) => ["", text]);
    this.exitStatus = new Promise((resolve) => {
      child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        this.outputEnded = true;
        this.wake();
        resolve(code ?? (signal === null ? 0 : -constants.signals[signal]));
      });
    });
  }

  /** Output chunks in arrival order; ends when the leader has exited and the pipes are closed. */
  async *output(): AsyncGenerator<OutputChunk, void, undefined> {
    while (!this.outputEnded || this.queue.length > 0) {
      const chunk = this.queue.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      this.resumeOutput();
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
    }
  }

  /** Whether any process of the group still runs (zombies do not count). */
  hasRunningMembers(): boolean {
    if (!this.empty && !groupHasRunningMembers(this.pgid)) this.empty = true;
    return !this.empty;
  }

  /**
   * SIGTERM to the whole group, SIGKILL to whatever still runs `graceMs` later. Resolves once
   * no member runs and the output has ended, or, if a process that left the group still holds
   * the pipes, after giving up on them. Calling it again returns the same promise.
   */
  terminate(graceMs: number): Promise<void> {
    this.terminating ??= this.killGroup(graceMs);
    return this.terminating;
  }

  private async killGroup(graceMs: number): Promise<void> {
    // A paused pipe never reaches its end; the reader no longer sets the pace.
    this.resumeOutput();
    this.signal("SIGTERM");
    if (await this.settles(graceMs)) return;
    this.signal("SIGKILL");
    if (await this.settles(graceMs)) return;
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.hasRunningMembers()) signalGroup(this.pgid, signal);
  }

  /** Waits up to `ms` for the group to stop and its output to end. */
  private async settles(ms: number): Promise<boolean> {
    const polls = Math.ceil(ms / POLL_MS);
    for (let i = 0; i < polls; i++) {
      if (this.outputEnded && !this.hasRunningMembers()) return true;
      await sleep(POLL_MS);
    }
    return this.outputEnded && !this.hasRunningMembers();
  }

  private relay(stream: Readable, toChunk: (text: string) => OutputChunk): void {
    const decoder = new StringDecoder("utf8");
    const push = (text: string) => {
      if (text === "") return;
      this.queue.push(toChunk(text));
      if (this.queue.length >= MAX_QUEUED_CHUNKS && !this.terminating) this.pauseOutput();
      this.wake();
    };
    stream.on("data", (bytes: Buffer) => push(decoder.write(bytes)));
    stream.on("end", () => push(decoder.end()));
  }

  private pauseOutput(): void {
    this.child.stdout?.pause();
    this.child.stderr?.pause();
  }

  private resumeOutput(): void {
    this.child.stdout?.resume();
    this.child.stderr?.resume();
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }
}
