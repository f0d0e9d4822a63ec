import type { z } from "zod";
import { DutkitError } from "./errors.ts";

/**
 * A driver answered something its contract does not allow: the driver and its client disagree
 * (different versions, or a driver of another project behind the same client id).
 */
export class DriverResultError extends DutkitError {
  /** Dotted path of the driver from the root, e.g. `board.tftp`; "" for the root. */
  readonly driver: string;
  readonly method: string;
  /** Dotted path of the first field that does not fit, e.g. `mode.entry_is_file`; "" for the value itself. */
  readonly field: string;

  constructor(driver: string, method: string, field: string, problem: string) {
    const where = field ? `field "${field}" of the answer` : "the answer";
    super(
      "ERR_DUTKIT_PROTOCOL",
      `${driver || "(root)"}.${method}(): ${where} does not fit the driver's contract: ${problem}; ` +
        "the driver and its client disagree: use a client and an exporter of the same dutkit version",
    );
    this.driver = driver;
    this.method = method;
    this.field = field;
  }
}

/** A driver's answer checked (and shaped) by its contract schema. */
export function checkResult<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  driver: string,
  method: string,
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join(".");
  throw new DriverResultError(driver, method, field, `${issue.message} (the answer: ${preview(value)})`);
}

/** Enough of a value to recognise it in a message. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
