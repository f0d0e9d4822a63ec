/** Text helpers shared by the console summary and the HTML page. */

/** A duration for people: `850 ms`, `12.3 s`, `4m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenthsOfSeconds = Math.round(ms / 100);
  if (tenthsOfSeconds < 600) return `${(tenthsOfSeconds / 10).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, "0")}s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, "0")}m`;
}

/** Cuts `text` to `width` characters, marking the cut with an ellipsis at the end. */
export function truncateEnd(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Cuts `text` to `width` characters, keeping both ends. For lease ids: UUIDv7 ids share their
 * leading (time) digits, so the end is what tells two leases apart.
 */
export function truncateMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${text.slice(0, head)}…${tail > 0 ? text.slice(-tail) : ""}`;
}

/** `k=v, k2=v2`, sorted by key. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
}

const htmlEntities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const needsEscaping = /[&<>"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Escapes text for HTML and SVG, in element content and in quoted attribute values alike. Control
 * characters (driver errors can quote raw console bytes) become U+FFFD, as XML forbids them.
 */
export function escapeHtml(text: string): string {
  return text.replace(needsEscaping, (c) => htmlEntities[c] ?? "\ufffd");
}

/**
 * An ISO time in `timeZone` for people: `2026-12-02 07:40:01 GMT+1`. The page has no scripts, so
 * "local" is the zone of the machine that wrote the report, unless the caller names one.
 */
export function formatLocalTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "shortOffset",
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}:${part("second")} ${part("timeZoneName")}`;
}
