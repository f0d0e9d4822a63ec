import { describe, expect, test } from "vitest";
import "./__fixtures__/test-drivers.ts";
import { issuesOf, withExport } from "./__fixtures__/config-text.ts";

describe("suggestions for unknown driver types", () => {
  const typeIssue = (type: string) => {
    const issues = issuesOf(withExport("  power:", `    type: ${type}`));
    expect(issues).toHaveLength(1);
    return issues[0]!;
  };

  test("a misspelt class path suggests the class path", () => {
    expect(typeIssue("test_driver_power.driver.TestPowrX").fix).toBe(
      'did you mean "test_driver_power.driver.TestPowerX"?',
    );
  });

  test("a Jumpstarter driver dutkit lacks suggests nothing similar-looking, and says so", () => {
    expect(typeIssue("jumpstarter_driver_pyserial.driver.PySerial").fix).toBe(
      "dutkit does not implement this Jumpstarter driver; use a type listed by `dutkit drivers`, or register your own with registerDriverType()",
    );
  });
});
