// The package's entry points as a user imports them: every `exports` subpath of package.json,
// loaded from a fresh build of dist/ by package name, has its key names and none of the internals.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../", import.meta.url));

type Exports = Record<string, string | { types: string; default: string }>;

/** What each entry point must export, and internals it must not. */
const expected: Record<string, { has: string[]; lacks?: string[] }> = {
  dutkit: {
    has: [
      "acquireBoard",
      "defineExporter",
      "Driver",
      "DriverClient",
      "registerDriverType",
      "DutkitError",
      "InvalidArgumentError",
      "ExpectConsole",
      "EOF",
      "GrpcTransport",
      "serveSession",
      "openLocalSession",
      "PowerClient",
      "UbootConsoleClient",
      "LeaseError",
    ],
    lacks: [
      "isInside",
      "normalizeRelativePath",
      "resolveExisting",
      "resolveForWrite",
      "parseRange",
      "bindErrorFor",
      "PathRefusal",
      "UnsupportedSourceError",
      "StubClient",
      "statusOfThrown",
      "driverErrorForStatus",
      "DEFAULT_CHANNEL_OPTIONS",
      "withServedRoot",
      "recentTranscripts",
      // On their own entry points now.
      "HttpFileServer",
      "TftpServer",
      "LeaseClient",
      "startController",
      "recordLeaseEvent",
    ],
  },
  "dutkit/lease": {
    has: ["LeaseClient", "loadClientConfig", "parseSelector", "parseDuration", "LeaseError"],
  },
  "dutkit/controller": { has: ["startController", "loadControllerConfig", "parseControllerConfig"] },
  "dutkit/tftp": {
    has: ["TftpServer", "TftpRefusal", "TftpServerError", "TftpErrorCode"],
    lacks: ["normalizeRequestPath", "bindErrorFor", "parseRequest", "encodeAck", "isInside"],
  },
  "dutkit/http": {
    has: ["HttpFileServer", "HttpServerError", "httpUrl"],
    lacks: [
      "isInside",
      "normalizeRelativePath",
      "resolveForWrite",
      "parseRange",
      "bindErrorFor",
      "contentTypeFor",
    ],
  },
  "dutkit/lease-usage": { has: ["buildLeaseUsageReport", "renderLeaseUsageHtml", "recordLeaseEvent"] },
  "dutkit/vitest": { has: ["boardTest", "defineExporter"] },
  "dutkit/vitest/global-setup": { has: ["default", "exporterForRun"] },
  "dutkit/playwright": { has: ["boardTest", "expect"] },
  "dutkit/reporters/vitest": { has: ["default"] },
  "dutkit/reporters/playwright": { has: ["default"] },
};

const probe = `
const { readFile } = await import("node:fs/promises");
const { exports } = JSON.parse(await readFile("package.json", "utf8"));
const names = {};
for (const key of Object.keys(exports)) {
  if (key === "./package.json") continue;
  const specifier = key === "." ? "dutkit" : "dutkit" + key.slice(1);
  names[specifier] = Object.keys(await import(specifier));
}
console.log(JSON.stringify(names));
`;

let packageDir: string | undefined;
let exportsMap: Exports;
let names: Record<string, string[]>;

beforeAll(async () => {
  packageDir = await mkdtemp(join(tmpdir(), "dutkit-entry-points-"));
  await run("npx", ["tsc", "-p", "tsconfig.build.json", "--outDir", join(packageDir, "dist")], {
    cwd: repo,
    timeout: 200_000,
  });
  await cp(join(repo, "package.json"), join(packageDir, "package.json"));
  await symlink(join(repo, "node_modules"), join(packageDir, "node_modules"));
  await writeFile(join(packageDir, "probe.mjs"), probe);
  exportsMap = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")).exports;
  // The probe lives in the package, so `dutkit/...` resolves through its own exports map.
  const { stdout } = await run(process.execPath, ["probe.mjs"], { cwd: packageDir, timeout: 30_000 });
  names = JSON.parse(stdout);
}, 240_000);

afterAll(() => (packageDir ? rm(packageDir, { recursive: true, force: true }) : undefined));

describe("the package's entry points, built", () => {
  test("every exports subpath is checked here, and every one checked is exported", () => {
    expect(Object.keys(names).sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(Object.entries(expected))("%s has its key names and none of the internals", (specifier, want) => {
    const found = names[specifier] ?? [];
    expect(
      want.has.filter((name) => !found.includes(name)),
      "missing",
    ).toEqual([]);
    expect(
      (want.lacks ?? []).filter((name) => found.includes(name)),
      "internal, yet exported",
    ).toEqual([]);
  });

  test("every entry point ships its types", async () => {
    for (const [key, target] of Object.entries(exportsMap)) {
      if (typeof target === "string") continue;
      await expect(stat(join(packageDir!, target.types)), key).resolves.toBeTruthy();
    }
  });
});
