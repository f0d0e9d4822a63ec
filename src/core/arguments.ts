import { z } from "zod";
import { InvalidArgumentError } from "./errors.ts";

/**
 * The positional arguments a driver method takes, as a zod tuple: one schema per argument, named
 * with `.describe(name)`, optional ones (`.nullish()`) last, `.rest(schema)` for a variadic tail.
 * A method that declares none takes none, as Jumpstarter's `@export` refuses extra arguments.
 */
export type ArgumentList = z.ZodTuple<readonly z.ZodType[], z.ZodType | null>;

const NONE: ArgumentList = z.tuple([]);

/** Refuses a call whose arguments do not fit `list`, naming the method, the count or the argument. */
export function checkArguments(
  list: ArgumentList | undefined,
  args: readonly unknown[],
  where: string,
): void {
  const schema = list ?? NONE;
  const { items, rest } = schema._zod.def;
  const names = items.map((item, i) => item.description ?? `argument ${i}`);
  const optional = items.map((item) => item.safeParse(undefined).success);
  const min = optional.lastIndexOf(false) + 1;
  const max = rest ? Number.POSITIVE_INFINITY : items.length;
  if (args.length < min || args.length > max) {
    const signature = [
      ...names.map((name, i) => (optional[i] ? `${name}?` : name)),
      ...(rest ? [`...${rest.description ?? "args"}`] : []),
    ].join(", ");
    throw new InvalidArgumentError(
      `${where} takes ${countText(min, max)}${signature ? ` (${signature})` : ""}; got ${args.length}`,
    );
  }
  const result = schema.safeParse(args);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const index = typeof issue.path[0] === "number" ? issue.path[0] : undefined;
  const which =
    index === undefined ? "" : ` argument ${index}${index < names.length ? ` (${names[index]})` : ""}`;
  throw new InvalidArgumentError(`${where}${which}: ${issue.message}`);
}

function countText(min: number, max: number): string {
  if (max === 0) return "no arguments";
  if (max === Number.POSITIVE_INFINITY) return `at least ${min} argument${min === 1 ? "" : "s"}`;
  if (min === max) return `${min} argument${min === 1 ? "" : "s"}`;
  return `${min} to ${max} arguments`;
}
