import {
  DeadlineExceededError,
  FailedPreconditionError,
  messageOf,
  UnknownError,
} from "../../core/errors.ts";
import { registerDriverError } from "../../core/wire-errors.ts";
import { ExpectBadPatternError, ExpectError, ExpectTimeoutError } from "../../expect/index.ts";

/** A checked command ended with a non-zero exit status. */
export class UbootCommandError extends UnknownError {
  override readonly code = "ERR_DUTKIT_UBOOT_COMMAND_FAILED";
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly output: string,
  ) {
    super(
      `U-Boot command ${JSON.stringify(command)} failed with exit code ${exitCode}; its output:\n` +
        `${output.trimEnd() || "(none)"}\n` +
        "Fix the command or the board; use runCommand() where a failure is expected",
    );
  }
}

registerDriverError(
  "ERR_DUTKIT_UBOOT_COMMAND_FAILED",
  ({ command, exitCode, output }) =>
    typeof command === "string" && typeof exitCode === "number" && typeof output === "string"
      ? new UbootCommandError(command, exitCode, output)
      : undefined,
  (error) => ({ command: error.command, exitCode: error.exitCode, output: error.output }),
);

/** A command or the boot did not reach the prompt in time. */
export class UbootTimeoutError extends DeadlineExceededError {
  override readonly code = "ERR_DUTKIT_UBOOT_TIMEOUT";
}

registerDriverError("ERR_DUTKIT_UBOOT_TIMEOUT", () => new UbootTimeoutError(""));

/** U-Boot printed an error (a bad pattern) while a command ran. */
export class UbootBadOutputError extends UnknownError {
  override readonly code = "ERR_DUTKIT_UBOOT_BAD_OUTPUT";
  constructor(
    message: string,
    readonly badPattern: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

registerDriverError(
  "ERR_DUTKIT_UBOOT_BAD_OUTPUT",
  ({ badPattern }) => (typeof badPattern === "string" ? new UbootBadOutputError("", badPattern) : undefined),
  (error) => ({ badPattern: error.badPattern }),
);

/** No prompt: autoboot could not be stopped, or nothing answers on the serial line. */
export class UbootNoPromptError extends FailedPreconditionError {
  override readonly code = "ERR_DUTKIT_UBOOT_NO_PROMPT";
}
registerDriverError("ERR_DUTKIT_UBOOT_NO_PROMPT", () => new UbootNoPromptError(""));

/** Turns expect-engine errors into driver errors with U-Boot context (other errors pass). */
export function asUbootError(error: unknown, doing: string): unknown {
  if (error instanceof ExpectTimeoutError) {
    return new UbootTimeoutError(
      `${doing}: no U-Boot prompt within ${error.timeout / 1000} s. ${messageOf(error)}`,
      { cause: error },
    );
  }
  if (error instanceof ExpectBadPatternError) {
    return new UbootBadOutputError(`${doing}: ${messageOf(error)}`, error.badPattern, { cause: error });
  }
  if (error instanceof ExpectError) {
    return new UbootNoPromptError(`${doing}: ${messageOf(error)}`, { cause: error });
  }
  return error;
}
