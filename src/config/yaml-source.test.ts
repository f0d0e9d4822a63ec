import { describe, expect, test } from "vitest";
import "./__fixtures__/test-drivers.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { parseExporterConfig } from "./load.ts";

const head = "apiVersion: jumpstarter.dev/v1alpha1\nkind: ExporterConfig\nmetadata: {name: yaml}\n";

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseExporterConfig(text, "x.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("YAML is read as Jumpstarter (PyYAML, YAML 1.1) reads it", () => {
  test("yes/on/off are booleans, y and n stay strings, 0644 is octal", () => {
    const { config } = parseExporterConfig(
      `${head}tls: {insecure: yes}\nexitOnLeaseEnd: off\nexport:\n  power: {type: TestPowerX, labels: {a: y, b: n}, config: {voltage: 0644}}\n`,
      "x.yaml",
    );
    expect(config.tls).toEqual({ insecure: true });
    expect(config.exitOnLeaseEnd).toBe(false);
    expect(config.export.power).toEqual({
      type: "TestPowerX",
      labels: { a: "y", b: "n" },
      config: { voltage: 420 },
    });
  });

  test("a key YAML reads as a boolean is an error that says to quote it", () => {
    const issues = issuesOf(`${head}export:\n  on: {type: TestPowerX}\n`);
    expect(issues).toEqual([
      {
        file: "x.yaml",
        line: 5,
        column: 3,
        path: "export.on",
        message: "key on is read as boolean, not as a name",
        expected: "a string key",
        fix: 'put it in quotes: "on":',
      },
    ]);
  });

  test("anchors, aliases and merge keys work, and problems inside them point at the anchored text", () => {
    const text = `${head}export:\n  a: &a {type: TestPowerX, config: {voltage: 12}}\n  b: *a\n  c: {<<: *a, description: c}\n`;
    expect(parseExporterConfig(text, "x.yaml").config.export.c).toEqual({
      type: "TestPowerX",
      config: { voltage: 12 },
      description: "c",
    });
    const issues = issuesOf(text.replace("voltage: 12", "voltage: x"));
    expect(issues.map((issue) => [issue.path, issue.line, issue.column])).toEqual([
      ["export.a.config.voltage", 5, 46],
      ["export.b.config.voltage", 5, 46],
      ["export.c.config.voltage", 5, 46],
    ]);
  });

  test("a date is not a string", () => {
    const [issue] = issuesOf(`${head}description: 2024-01-02\nexport:\n  power: {type: TestPowerX}\n`);
    expect(issue).toMatchObject({ line: 4, column: 14, message: "wrong type: got a date" });
    expect(issue?.fix).toBe("put the value in quotes to make it a string");
  });
});

describe("documents that are not one exporter config", () => {
  test("an empty file", () => {
    expect(issuesOf("")).toMatchObject([{ path: "", message: "the config is empty" }]);
  });

  test("a list", () => {
    expect(issuesOf("- a\n- b\n")).toMatchObject([
      { line: 1, column: 1, message: "the config is not a map" },
    ]);
  });

  test("two documents in one file", () => {
    const [issue] = issuesOf(`${head}export:\n  power: {type: TestPowerX}\n---\n${head}`);
    expect(issue).toMatchObject({ line: 6, column: 1 });
    expect(issue?.fix).toMatch(/one exporter config per file/);
  });

  test("an unknown tag", () => {
    const [issue] = issuesOf(`${head}description: !secret x\nexport:\n  power: {type: TestPowerX}\n`);
    expect(issue).toMatchObject({
      line: 4,
      column: 14,
      fix: "remove the !tag; plain YAML values are enough",
    });
  });
});
