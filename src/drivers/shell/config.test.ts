import { describe, expect, it } from "vitest";
import { findDriverType } from "../../core/registry.ts";
import { methodsOf, ShellConfig } from "./config.ts";
import "./index.ts";

describe("Shell config", () => {
  it("fills in Jumpstarter's defaults", () => {
    expect(ShellConfig.parse({ methods: { hello: "echo hi" } })).toEqual({
      methods: { hello: "echo hi" },
      shell: ["bash", "-c"],
      timeout: 300,
    });
  });

  it("normalises both method forms; a method's timeout overrides the default", () => {
    const config = ShellConfig.parse({
      methods: { short: "echo a", long: { command: "echo b", description: "B", timeout: 5 } },
      timeout: 60,
    });
    expect(Object.fromEntries(methodsOf(config))).toEqual({
      short: { script: "echo a", timeoutSeconds: 60 },
      long: { script: "echo b", timeoutSeconds: 5, description: "B" },
    });
  });

  it.each(["has-dash", "1st", "with space", ""])("refuses the method name %j", (name) => {
    const result = ShellConfig.safeParse({ methods: { [name]: "true" } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(`method name "${name}" is not an identifier`);
    expect(result.error?.issues[0]?.path).toEqual(["methods", name]);
  });

  it("refuses unknown keys, at the top and in a method", () => {
    expect(ShellConfig.safeParse({ methods: {}, log_level: "INFO" }).success).toBe(false);
    expect(ShellConfig.safeParse({ methods: { a: { command: "true", shell: "sh" } } }).success).toBe(false);
  });

  it("refuses empty scripts, an empty shell and timeouts Node cannot wait for", () => {
    expect(ShellConfig.safeParse({ methods: { a: "" } }).success).toBe(false);
    expect(ShellConfig.safeParse({ methods: { a: { command: "" } } }).success).toBe(false);
    expect(ShellConfig.safeParse({ methods: {}, shell: [] }).success).toBe(false);
    expect(ShellConfig.safeParse({ methods: {}, timeout: 0 }).success).toBe(false);
    expect(ShellConfig.safeParse({ methods: {}, timeout: 3_000_000 }).success).toBe(false);
  });

  it("is registered under its id and its Jumpstarter class path", () => {
    const spec = findDriverType("Shell");
    expect(spec).toBeDefined();
    expect(findDriverType("jumpstarter_driver_shell.driver.Shell")).toBe(spec);
  });
});
