import { InvalidArgumentError } from "../../core/errors.ts";

/**
 * U-Boot shell (hush) syntax, as U-Boot 2023.01 parses it. Checked on the real thing: inside
 * single quotes `$` and `"` are literal but a backslash still escapes the next character
 * (`'a\x'` is `ax`), and `\'` outside quotes is a quote; a tab is eaten by the line editor.
 */

/** Printable ASCII only: what every U-Boot line editor echoes back as sent. */
const PRINTABLE = /^[\x20-\x7e]*$/;

function firstBadChar(text: string): string {
  for (const ch of text) {
    if (!/[\x20-\x7e]/.test(ch)) return `U+${ch.codePointAt(0)!.toString(16).padStart(4, "0").toUpperCase()}`;
  }
  return "";
}

/** Throws unless `text` can be typed at the prompt: printable ASCII, one line. */
export function checkTypable(text: string, what: string): void {
  if (typeof text !== "string") {
    throw new InvalidArgumentError(`${what} must be a string, not ${text === null ? "null" : typeof text}`);
  }
  if (!PRINTABLE.test(text)) {
    throw new InvalidArgumentError(
      `${what} ${JSON.stringify(text.slice(0, 60))} holds ${firstBadChar(text)}, which U-Boot's line editor ` +
        "does not take as typed; use printable ASCII, and ';' instead of newlines between commands",
    );
  }
}

/** A value as one hush word: single-quoted, with `\` and `'` escaped (any printable ASCII survives). */
export function quote(value: string, what = "value"): string {
  checkTypable(value, what);
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "'\\''")}'`;
}

/** Environment variable names U-Boot's setenv/printenv take without surprises. */
export function checkEnvName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !/^[A-Za-z0-9_.:+-]+$/.test(name)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(name)} is not a usable U-Boot variable name; use letters, digits and _ . : + -`,
    );
  }
}

/** An address or size for a command: a number becomes hex (U-Boot reads hex), a string passes checked. */
export function hexArg(value: unknown, what: string): string {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError(`${what} ${value} must be a whole number ≥ 0`);
    }
    return `0x${value.toString(16)}`;
  }
  if (typeof value === "string" && /^(?:(?:0x)?[0-9a-fA-F]+|\$\{?[A-Za-z0-9_]+\}?)$/.test(value))
    return value;
  throw new InvalidArgumentError(
    `${what} ${JSON.stringify(value)}: give a number, a hex string such as "0x40400000", or a variable such as "$loadaddr"`,
  );
}

/**
 * The exit-status marker. The command line says `echo dk""7=$?=`, which U-Boot prints as
 * `dk7=0=`: the echoed command line can never match `dk7=<digits>=`.
 */
export function markerCommand(nonce: number): { command: string; pattern: RegExp } {
  return {
    command: `echo dk""${nonce}=$?=`,
    pattern: new RegExp(`(?:^|\\n)dk${nonce}=(\\d+)=\\r?(?:\\n|$)`),
  };
}

/** `cmd; echo <marker>`; a trailing `;` of the command is dropped, since `;;` is a syntax error. */
export function withMarker(cmd: string, nonce: number): { line: string; pattern: RegExp } {
  const { command, pattern } = markerCommand(nonce);
  const body = cmd.replace(/[\s;]+$/, "");
  return { line: body ? `${body}; ${command}` : command, pattern };
}

/** Output text with CRLF turned into LF. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r+\n/g, "\n").replace(/\r/g, "");
}

/** The value `printenv NAME` printed, null when U-Boot says it is not defined. */
export function parsePrintenv(output: string, name: string): string | null {
  const lines = normalizeNewlines(output).split("\n");
  if (lines.some((l) => /^## Error: .* not defined/.test(l))) return null;
  const line = lines.find((l) => l.startsWith(`${name}=`));
  return line === undefined ? null : line.slice(name.length + 1);
}

/** `Bytes transferred = 4194304 (400000 hex)` → 4194304. */
export function parseBytesTransferred(output: string): number | undefined {
  const m = /Bytes transferred = (\d+)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

/** `crc32 for 40400000 ... 407fffff ==> 1a2b3c4d` → 0x1a2b3c4d. */
export function parseCrc32(output: string): number | undefined {
  const m = /==>\s*([0-9a-fA-F]{8})\b/.exec(output);
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

/** The rate TFTP printed after loading (`\t 2.1 MiB/s`), as written. */
export function parseTftpRate(output: string): string | undefined {
  const m = /(\d+(?:\.\d+)?\s*[KMG]?i?B\/s)/.exec(output);
  return m ? m[1]!.replace(/\s+/, " ") : undefined;
}
