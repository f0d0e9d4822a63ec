// What a command printed, and bounded waits for a line of it: the readiness signal tests wait on.

interface Waiter {
  pattern: RegExp;
  what: string;
  resolve: (match: RegExpExecArray) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Below the 30 s test timeouts of the tests that wait, so the wait fails first and says why. */
export const DEFAULT_WAIT_MS = 20_000;

export class OutputWatch {
  stdout = "";
  stderr = "";
  readonly #waiters = new Set<Waiter>();
  #ended: string | undefined;

  /** Adds output and settles the waits it satisfies. */
  append(stream: "stdout" | "stderr", text: string): void {
    this[stream] += text;
    if (stream === "stdout") this.#check();
  }

  /** The command is over (`why`, e.g. "dutkit exited with 1"): waits still open fail now. */
  end(why: string): void {
    this.#check();
    this.#ended = why;
    for (const waiter of [...this.#waiters]) this.#fail(waiter, why);
  }

  /**
   * Resolves with the first match of `pattern` in stdout. Rejects, naming `what` it waited for and
   * showing the output so far, after `timeoutMs` or when the command ends without printing it.
   */
  waitFor(pattern: RegExp, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pattern,
        what,
        resolve,
        reject,
        timer: setTimeout(() => this.#fail(waiter, `no such line within ${timeoutMs} ms`), timeoutMs),
      };
      this.#waiters.add(waiter);
      this.#check();
      if (this.#ended !== undefined && this.#waiters.has(waiter)) this.#fail(waiter, this.#ended);
    });
  }

  #check(): void {
    for (const waiter of [...this.#waiters]) {
      const match = waiter.pattern.exec(this.stdout);
      if (!match) continue;
      this.#waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(match);
    }
  }

  #fail(waiter: Waiter, why: string): void {
    if (!this.#waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.reject(
      new Error(
        `waited for ${waiter.what} (stdout matching ${waiter.pattern}): ${why}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
      ),
    );
  }
}

/**
 * Resolves as `promise` does; rejects after `timeoutMs` with what was awaited and `detail()`
 * (e.g. the output so far). For commands that run to their end, like `dutkit shell -- cmd`.
 */
export async function within<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
  detail: () => string = () => "",
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${timeoutMs} ms${detail()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
