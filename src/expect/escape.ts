/**
 * Text made safe to print in an error message or a transcript: control characters and bytes
 * that are not printable become escapes (`\r`, `\n`, `\t`, `\x1b`), so a timeout message shows
 * exactly what the device sent.
 */
export function printable(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return out;
}

/** Like `printable`, but keeps line breaks as line breaks (for transcripts). */
export function printableLines(text: string): string {
  return text
    .split("\n")
    .map((line) => printable(line.endsWith("\r") ? line.slice(0, -1) : line))
    .join("\n");
}

/** The last `max` characters of `text`, escaped, with a note when cut. */
export function lastSeen(text: string, max = 256): string {
  if (text.length === 0) return "(nothing)";
  const cut = text.length > max;
  return `${cut ? "…" : ""}"${printable(cut ? text.slice(-max) : text)}"`;
}
