import { describe, expect, test } from "vitest";
import { z } from "zod";
import { knownKeysAt, problemsFromZod } from "./zod-problems.ts";

function problemsOf(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("the value was accepted");
  return problemsFromZod(result.error.issues, value, schema);
}

const methods = z.record(
  z.string(),
  z.union([z.string(), z.strictObject({ command: z.string(), timeout: z.number().optional() })]),
);

describe("problemsFromZod", () => {
  test("a union of types names every type", () => {
    expect(
      problemsOf(z.strictObject({ port: z.union([z.string(), z.number().int()]) }), { port: true }),
    ).toEqual([
      {
        path: ["port"],
        at: "value",
        message: "wrong type: got boolean true",
        expected: "a string or a number",
        fix: "change the value to a string or a number",
      },
    ]);
  });

  test("a union reports the problem of the branch the value's type matched", () => {
    expect(problemsOf(methods, { greet: { command: "echo", timout: 3 } })).toEqual([
      {
        path: ["greet", "timout"],
        at: "key",
        message: 'unknown field "timout"',
        expected: 'one of the fields "command", "timeout"',
        fix: 'did you mean "timeout"? otherwise remove it',
      },
    ]);
  });

  test("a null value asks for a value", () => {
    expect(problemsOf(z.strictObject({ n: z.number() }), { n: null })[0]).toMatchObject({
      message: "wrong type: got null (an empty value)",
      fix: "give it a value (a number), or remove the field",
    });
  });

  test("limits on lists and strings", () => {
    const schema = z.strictObject({ shell: z.array(z.string().min(1)).min(1) });
    expect(problemsOf(schema, { shell: [] })[0]).toMatchObject({ expected: "at least 1 items" });
    expect(problemsOf(schema, { shell: [""] })[0]).toMatchObject({
      path: ["shell", 0],
      message: "must not be empty",
    });
  });

  test("a schema's own message is kept", () => {
    const schema = z.strictObject({
      n: z.string().refine((v) => v.startsWith("/"), "must be an absolute path"),
    });
    expect(problemsOf(schema, { n: "x" })[0]).toMatchObject({
      path: ["n"],
      message: "must be an absolute path",
    });
  });
});

describe("knownKeysAt", () => {
  test("reads object fields through optional, default, records and unions", () => {
    const schema = z.strictObject({
      outer: z.strictObject({ a: z.string(), b: z.number() }).optional(),
      methods,
    });
    expect(knownKeysAt(schema, [])).toEqual(["outer", "methods"]);
    expect(knownKeysAt(schema, ["outer"])).toEqual(["a", "b"]);
    expect(knownKeysAt(schema, ["methods", "anything"])).toEqual(["command", "timeout"]);
    expect(knownKeysAt(schema, ["outer", "a"])).toBeUndefined();
  });
});
