import type { Command } from "commander";
import { listDriverTypes } from "../core/registry.ts";
import type { CommandContext } from "./context.ts";
import { type DriverTypeInfo, describeDriverType } from "./driver-info.ts";

function table(rows: string[][], indent: string): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      `${indent}${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ")}`.trimEnd(),
    )
    .join("\n");
}

function formatDriverType(info: DriverTypeInfo): string {
  const lines = [`${info.id} — ${info.summary}`];
  if (info.aliases.length > 0) lines.push(`  aliases: ${info.aliases.join(", ")}`);
  const required =
    info.children.required.length > 0 ? ` (required: ${info.children.required.join(", ")})` : "";
  lines.push(`  children: ${info.children.accepts}${required}`);
  if (info.provides.length > 0) lines.push(`  makes its own children: ${info.provides.join(", ")}`);
  if (info.config.length === 0) {
    lines.push("  config: none");
  } else {
    lines.push("  config:");
    const rows = info.config.map((field) => [
      field.name,
      field.type,
      field.required
        ? "required"
        : "default" in field
          ? `default ${JSON.stringify(field.default)}`
          : "optional",
      field.description ?? "",
    ]);
    lines.push(table(rows, "    "));
  }
  return lines.join("\n");
}

function listDrivers(options: { json?: boolean }, context: CommandContext): void {
  const infos = listDriverTypes()
    .map(describeDriverType)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (options.json) {
    context.io.stdout(`${JSON.stringify(infos, null, 2)}\n`);
  } else if (infos.length === 0) {
    context.io.stdout("no driver types are registered\n");
  } else {
    context.io.stdout(`${infos.map(formatDriverType).join("\n\n")}\n`);
  }
}

/** `dutkit drivers`: the driver types an exporter config can use. */
export function registerDriversCommand(program: Command, context: CommandContext): void {
  program
    .command("drivers")
    .description("list the driver types an exporter config can use, with their config options")
    .option("--json", "print machine-readable JSON (includes each type's config JSON Schema)")
    .action((options: { json?: boolean }) => listDrivers(options, context));
}
