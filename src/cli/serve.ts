/** What the `serve` commands share: number options and stopping on a signal. */
import { InvalidArgumentError } from "commander";

/** A commander parser for an integer option in [min, max]. */
export function integerOption(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    }
    return value;
  };
}

export interface StopSignals {
  /** Resolves with the signal's name on the first SIGINT or SIGTERM. */
  stopped: Promise<string>;
  /** Removes the handlers, so a later signal has its default effect again. */
  dispose(): void;
}

/** Waits for Ctrl-C or SIGTERM instead of letting them kill the process. */
export function stopSignals(): StopSignals {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    onSignal = (signal) => resolve(signal);
  });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    stopped,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
