// Writes docs/errors.md from the error catalogue (src/core/error-codes.ts): `npm run docs:errors`, or
//   node --import ./scripts/ts-loader.mjs scripts/errors-page.ts
// scripts/errors-page.test.ts fails when the committed page is not what this writes.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorCatalogue, errorCodes } from "../src/core/error-codes.ts";

export const errorsPagePath = fileURLToPath(new URL("../docs/errors.md", import.meta.url));

export function renderErrorsPage(): string {
  const lines = [
    "# Error codes",
    "",
    "<!-- Generated from src/core/error-codes.ts by scripts/errors-page.ts; do not edit. -->",
    "",
    `Every error dutkit throws carries one of these ${errorCodes.length} codes in \`error.code\`; the`,
    "message says what went wrong and how to fix it. Codes are stable: match them in tests and scripts.",
    "Driver errors keep their code and fields across the gRPC transport.",
    "",
  ];
  for (const group of Object.values(errorCatalogue)) {
    lines.push(`## ${group.title}`, "", "| code | meaning |", "|---|---|");
    for (const [code, meaning] of Object.entries(group.codes)) {
      lines.push(`| \`${code}\` | ${meaning.replaceAll("|", "\\|")} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(errorsPagePath, renderErrorsPage());
  console.log(`wrote ${errorsPagePath}`);
}
