// The CI skip guards through real vitest and Playwright runs: under CI=true a skip that is not
// allowed fails the run and is named; an allowed one is not; without CI nothing is enforced.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const fixtures = fileURLToPath(new URL("./__fixtures__/", import.meta.url));
const output = mkdtempSync(join(tmpdir(), "dutkit-skip-guard-"));
afterAll(() => rmSync(output, { recursive: true, force: true }));

const runners = {
  vitest: [
    join(repo, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    join(fixtures, "vitest.config.ts"),
  ],
  playwright: [
    join(repo, "node_modules/@playwright/test/cli.js"),
    "test",
    "-c",
    join(fixtures, "playwright.config.ts"),
  ],
};

/** Runs a runner in a child process, bounded at 60 s; returns its exit code and output. */
function run(runner: keyof typeof runners, ci: boolean): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SKIP_GUARD_OUTPUT: join(output, runner),
    FORCE_COLOR: "0",
  };
  delete env.CI;
  if (ci) env.CI = "true";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, runners[runner], {
      cwd: fixtures,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (d: Buffer) => {
      text += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      text += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${runner} did not exit within 60 s:\n${text}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output: text });
    });
  });
}

describe.each(["vitest", "playwright"] as const)("the %s skip guard", (runner) => {
  test("under CI=true an unlisted skip fails the run, named with its reason", {
    timeout: 70_000,
  }, async () => {
    const result = await run(runner, true);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`skip guard (${runner}): 1 test(s) skipped under CI=true`);
    expect(result.output).toMatch(/- skips\.(test|spec)\.ts > peers > needs a peer that is missing/);
    expect(result.output).not.toMatch(/- skips\.(test|spec)\.ts > peers > skipped on purpose/);
    if (runner === "playwright") expect(result.output).toContain("(peer not installed)");
  });

  test("without CI the same run passes", { timeout: 70_000 }, async () => {
    const result = await run(runner, false);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain("skip guard");
  });
});
