import { readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { errorCatalogue, errorCodes } from "../src/core/error-codes.ts";
import { errorsPagePath, renderErrorsPage } from "./errors-page.ts";

test("docs/errors.md is what scripts/errors-page.ts generates from the catalogue", () => {
  expect(
    readFileSync(errorsPagePath, "utf8"),
    "docs/errors.md is stale: run node --import ./scripts/ts-loader.mjs scripts/errors-page.ts",
  ).toBe(renderErrorsPage());
});

test("each code is in one group of the catalogue, once", () => {
  expect(new Set(errorCodes).size).toBe(errorCodes.length);
  const grouped = Object.values(errorCatalogue).reduce((n, group) => n + Object.keys(group.codes).length, 0);
  expect(grouped).toBe(errorCodes.length);
});

/** Node's own codes that dutkit matches but never throws. */
const nodeCodes = new Set(["ERR_IPC_CHANNEL_CLOSED"]);

test("every ERR_ string in the sources is a catalogued code", () => {
  const root = new URL("../", import.meta.url);
  const files = ["src", "fixtures", "reporters"].flatMap((dir) =>
    readdirSync(new URL(dir, root), { recursive: true, encoding: "utf8" })
      .filter((path) => path.endsWith(".ts") && !path.endsWith(".test.ts"))
      .map((path) => new URL(`${dir}/${path}`, root)),
  );
  const used = new Set(
    files.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/"(ERR_[A-Z0-9_]+)"/g)].map((m) => m[1]!),
    ),
  );
  const catalogued = new Set<string>(errorCodes);
  expect([...used].filter((code) => !catalogued.has(code) && !nodeCodes.has(code))).toEqual([]);
});
