import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { InternalError, messageOf } from "../../core/errors.ts";

/**
 * A POSIX shell script that runs a program and kills it when its own stdin ends. The driver
 * holds the only write end of that pipe, so the pipe ends when the driver stops the program
 * (it closes the pipe) and also when the driver's process dies in any way, SIGKILL included:
 * the kernel closes the pipe then. On EOF the watchdog sends SIGTERM, waits up to `$1` tenths of
 * a second, then sends SIGKILL. When the program exits by itself, the supervisor exits with
 * its status (and stops the watchdog).
 *
 * Arguments: $1 grace in tenths of a second, $2… the program and its arguments.
 */
const SUPERVISOR = `
grace=$1; shift
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
(
  while read -r _; do :; done
  kill -TERM "$child" 2>/dev/null
  i=0
  while kill -0 "$child" 2>/dev/null && [ "$i" -lt "$grace" ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$child" 2>/dev/null
) <&3 &
watchdog=$!
exec 3<&-
wait "$child"
status=$?
kill "$watchdog" 2>/dev/null
exit "$status"
`;

/** How much of the program's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 4096;
const POLL_MS = 50;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A program that cannot outlive the process that started it. It runs under a small `sh`
 * supervisor in a process group of its own (so signals sent to the test runner's group do not
 * reach it, and the whole group can be killed as a last resort). The handles are unref'd: a
 * forgotten `stop()` does not keep Node running, and the watchdog cleans up when Node exits.
 * Emits `stderr` (the chunk) once `stderrTail()` includes it.
 */
export class SupervisedProcess extends EventEmitter<{ stderr: [chunk: Buffer] }> {
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private stderr = Buffer.alloc(0);
  private exitStatus: ExitStatus | undefined;
  private stopping: Promise<void> | undefined;

  static async start(program: string, args: readonly string[], graceMs: number): Promise<SupervisedProcess> {
    const tenths = String(Math.max(1, Math.ceil(graceMs / 100)));
    const child = spawn("/bin/sh", ["-c", SUPERVISOR, "dutkit-supervisor", tenths, program, ...args], {
      detached: true,
      stdio: ["pipe", "ignore", "pipe"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", reject);
      });
    } catch (error) {
      throw new InternalError(`could not start /bin/sh to supervise ${program}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    return new SupervisedProcess(child);
  }

  private constructor(child: ChildProcess) {
    super();
    this.child = child;
    // A later spawn or pipe error must not crash the process; the exit status tells the story.
    child.on("error", () => {});
    child.stdin!.on("error", () => {});
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr = Buffer.concat([this.stderr, chunk]).subarray(-STDERR_TAIL_BYTES);
      this.emit("stderr", chunk);
    });
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        // The pipe has nothing more to watch; let its file descriptor go.
        child.stdin!.destroy();
        resolve(this.exitStatus);
      });
    });
    child.unref();
    unrefStream(child.stdin);
    unrefStream(child.stderr);
  }

  /** The supervisor's pid, which is also the process group id. */
  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** The last few KiB the program wrote to stderr, trimmed. */
  stderrTail(): string {
    return this.stderr.toString("utf8").trim();
  }

  /**
   * Stops the program: its watchdog sends SIGTERM, and SIGKILL after the grace period. If the
   * supervisor is still there `graceMs` + 2 s later, its whole group gets SIGKILL. Bounded;
   * calling it again returns the same promise.
   */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  private async stopNow(graceMs: number): Promise<void> {
    this.child.stdin!.end();
    this.child.stdin!.destroy();
    if (await this.exitsWithin(graceMs + 2000)) return;
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      // The group is already gone.
    }
    await this.exitsWithin(2000);
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    for (let waited = 0; waited < ms && this.running; waited += POLL_MS) await sleep(POLL_MS);
    return !this.running;
  }
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}
