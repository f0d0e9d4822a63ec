import type { Duplex } from "node:stream";
import type { Driver, MethodKind } from "../../core/driver.ts";
import { FailedPreconditionError } from "../../core/errors.ts";

/**
 * Calls into a child driver the way a client would, but in-process: only the methods the child
 * declares, of the right kind. A driver never imports another driver's code.
 */
function method(
  child: Driver,
  role: string,
  name: string,
  kind: MethodKind,
): (...args: unknown[]) => unknown {
  const spec = child.driverClass.methods[name];
  const fn: unknown = Reflect.get(child, name);
  if (!spec || spec.kind !== kind || typeof fn !== "function") {
    const offered = Object.entries(child.driverClass.methods)
      .map(([n, s]) => `${n} (${s.kind})`)
      .join(", ");
    throw new FailedPreconditionError(
      `the ${role} child has no ${kind} method "${name}" (it offers: ${offered || "nothing"}); ` +
        `point ${role} at a driver that does, e.g. ${role === "power" ? "board.power" : "board.console"}`,
    );
  }
  return fn as (...args: unknown[]) => unknown;
}

export async function callChild(
  child: Driver,
  role: string,
  name: string,
  ...args: unknown[]
): Promise<unknown> {
  return await method(child, role, name, "unary").apply(child, args);
}

export async function openChildStream(child: Driver, role: string, name: string): Promise<Duplex> {
  return (await method(child, role, name, "bytes").apply(child, [])) as Duplex;
}
