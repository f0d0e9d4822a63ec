import { describe, expect, test } from "vitest";
import "./__fixtures__/test-drivers.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { parseExporterConfig } from "./load.ts";

function withExport(...lines: string[]): string {
  return [
    "apiVersion: jumpstarter.dev/v1alpha1",
    "kind: ExporterConfig",
    "metadata: {name: refs}",
    "export:",
    ...lines,
  ].join("\n");
}

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseExporterConfig(text, "refs.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("the config was accepted");
}

const power = "  power: {type: TestPowerX}";

describe("refs that resolve", () => {
  test("to a top-level driver, into a group, through another ref, and through a ref to a group", () => {
    const { config } = parseExporterConfig(
      withExport(
        power,
        "  group:",
        "    children:",
        "      inner: {children: {serial: {type: TestSerialX, config: {port: x}}}}",
        "      power: {ref: power}",
        "  a: {ref: group.inner.serial}",
        "  b: {ref: a}",
        "  groupAlias: {ref: group}",
        "  c: {ref: groupAlias.inner.serial}",
        "  d: {ref: groupAlias.power}",
      ),
      "refs.yaml",
    );
    expect(config.export.d).toEqual({ ref: "groupAlias.power" });
  });

  test("to a sibling's subtree, when nothing leads back", () => {
    expect(() =>
      parseExporterConfig(
        withExport(
          "  x: {children: {p: {type: TestPowerX}, q: {ref: y}}}",
          "  y: {children: {r: {ref: x.p}}}",
        ),
        "refs.yaml",
      ),
    ).not.toThrow();
  });
});

describe("refs that are config errors", () => {
  test("a ref to a missing top-level name, suggesting the closest", () => {
    const [issue, ...rest] = issuesOf(withExport(power, "  alias: {ref: powr}"));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      line: 6,
      column: 16,
      path: "export.alias.ref",
      message: 'ref "powr" names no driver: export has no child "powr"',
      expected: 'one of "power", "alias" after "export"',
      fix: 'did you mean "power"?',
    });
  });

  test("a ref into a group that lacks the child", () => {
    const [issue] = issuesOf(
      withExport("  group: {children: {power: {type: TestPowerX}}}", "  alias: {ref: group.serial}"),
    );
    expect(issue).toMatchObject({
      path: "export.alias.ref",
      message: 'ref "group.serial" names no driver: export.group has no child "serial"',
      expected: 'one of "power" after "group"',
    });
  });

  test("a ref through a driver without children", () => {
    const [issue] = issuesOf(withExport(power, "  alias: {ref: power.x}"));
    expect(issue).toMatchObject({
      message: 'ref "power.x" names no driver: export.power has no child "x"',
      expected: "a path through entries that have children",
    });
  });

  test("a ref that is not a dotted path", () => {
    const [issue] = issuesOf(withExport(power, "  alias: {ref: 'power..x'}"));
    expect(issue).toMatchObject({ path: "export.alias.ref", message: 'ref "power..x" is not a dotted path' });
  });

  test("a ref with other fields", () => {
    const [issue] = issuesOf(withExport(power, "  alias: {ref: power, description: x}"));
    expect(issue).toMatchObject({
      line: 6,
      column: 23,
      path: "export.alias.description",
      message: 'a ref entry takes no other fields, but has "description"',
    });
  });

  test("a ref to itself", () => {
    const issues = issuesOf(withExport(power, "  alias: {ref: alias}"));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      line: 6,
      column: 16,
      path: "export.alias.ref",
      message: "ref cycle: export.alias → export.alias",
    });
  });

  test("refs that lead to each other, reported once", () => {
    const issues = issuesOf(withExport(power, "  a: {ref: b}", "  b: {ref: c}", "  c: {ref: a}"));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      line: 6,
      path: "export.a.ref",
      message: "ref cycle: export.a → export.b → export.c → export.a",
    });
    expect(issues[0]?.fix).toMatch(/point one of these refs at a real driver/);
  });

  test("a ref to its own ancestor", () => {
    const issues = issuesOf(
      withExport("  group:", "    children:", "      power: {type: TestPowerX}", "      me: {ref: group}"),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      line: 8,
      column: 17,
      path: "export.group.children.me.ref",
      message:
        "ref export.group.me → export.group points at its own ancestor, so the driver tree would be infinite",
      fix: "point the ref at a driver outside export.group",
    });
  });

  test("refs into each other's subtrees", () => {
    const issues = issuesOf(
      withExport("  x: {children: {toY: {ref: y}}}", "  y: {children: {toX: {ref: x}}}"),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe(
      "refs loop: export.x.toY → export.y, export.y.toX → export.x leads back to export.x, so the driver tree would be infinite",
    );
  });
});

describe("a broken ref is reported once, where it is", () => {
  test("a ref to a ref that names no driver", () => {
    const issues = issuesOf(withExport(power, "  a: {ref: b}", "  b: {ref: nope}"));
    expect(issues.map((issue) => [issue.path, issue.line])).toEqual([["export.b.ref", 7]]);
  });

  test("a ref into a cycle", () => {
    const issues = issuesOf(withExport(power, "  x: {ref: a}", "  a: {ref: b}", "  b: {ref: a}"));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: "export.a.ref",
      line: 7,
      message: "ref cycle: export.a → export.b → export.a",
    });
  });
});
