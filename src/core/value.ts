import { InvalidArgumentError } from "./errors.ts";

/**
 * A value that can cross the driver-call boundary: what `google.protobuf.Value` can carry.
 * Numbers are doubles; there are no bytes and no undefined. Binary data goes through byte streams.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function typeName(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object" && value !== null) return value.constructor?.name ?? "object";
  return typeof value;
}

/** Throws InvalidArgumentError naming the first part of `value` that is not a JSON value. */
export function assertJsonValue(value: unknown, where: string): asserts value is JsonValue {
  const fail = (path: string, what: string, fix: string) => {
    throw new InvalidArgumentError(`${path} is ${what}, which a driver call cannot carry; ${fix}`);
  };
  const visit = (v: unknown, path: string, depth: number): void => {
    if (depth > 100) fail(path, "nested more than 100 levels deep", "flatten it");
    if (v === null || typeof v === "boolean" || typeof v === "string") return;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) fail(path, String(v), "send a finite number or null");
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        visit(item, `${path}[${i}]`, depth + 1);
      });
      return;
    }
    if (typeof v === "object") {
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
        fail(path, "binary data", "send bytes through a byte-stream method instead");
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        fail(path, `a ${typeName(v)}`, "convert it to a plain object, string or number");
      }
      for (const [key, item] of Object.entries(v)) visit(item, `${path}.${key}`, depth + 1);
      return;
    }
    fail(path, typeName(v), "use null, a boolean, a finite number, a string, an array or a plain object");
  };
  visit(value, where, 0);
}

/**
 * Passes a value across the call boundary the way the wire would: checked, then copied, so the
 * receiver never shares objects with the sender.
 */
export function toWire(value: unknown, where: string): JsonValue {
  assertJsonValue(value, where);
  return structuredClone(value);
}

/** A method result: `undefined` (a void method) travels as null, like Python's None. */
export function resultToWire(value: unknown, where: string): JsonValue {
  return value === undefined ? null : toWire(value, where);
}
