/** The `Range` request header (RFC 9110 section 14): one byte range, or why not. */

export type RangeRequest =
  /** Serve the whole file (no Range, a syntax we ignore, or several ranges). */
  | { kind: "full" }
  /** Serve bytes start..end inclusive. */
  | { kind: "partial"; start: number; end: number }
  /** No requested range overlaps the file: 416. */
  | { kind: "unsatisfiable" };

const spec = /^(\d*)-(\d*)$/;

/**
 * Interprets a Range header for a file of `size` bytes. An invalid header is ignored (the whole
 * file is served, as RFC 9110 allows); several ranges are served as the whole file too, rather
 * than as multipart/byteranges.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "full" };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!match) return { kind: "full" };
  const parts = match[1]!.split(",").map((part) => part.trim());
  const ranges: { start: number; end: number }[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const found = spec.exec(part);
    if (!found) return { kind: "full" };
    const [, first, last] = found;
    if (first === "" && last === "") return { kind: "full" };
    if (first === "") {
      const suffix = Number(last);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === "" ? size - 1 : Number(last);
    if (last !== "" && end < start) return { kind: "full" };
    if (start < size) ranges.push({ start, end: Math.min(end, size - 1) });
  }
  if (ranges.length === 0) return { kind: "unsatisfiable" };
  if (ranges.length > 1) return { kind: "full" };
  return { kind: "partial", ...ranges[0]! };
}
