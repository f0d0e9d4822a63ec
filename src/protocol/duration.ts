import { DutkitError } from "../core/errors.ts";

export class DurationError extends DutkitError {
  constructor(text: string, problem: string) {
    super(
      "ERR_DUTKIT_DURATION",
      `invalid duration ${JSON.stringify(text)}: ${problem}; use seconds (90), units (30m, 1h30m, 1d 2h), ISO-8601 (PT1H30M) or HH:MM:SS`,
    );
  }
}

const unitSeconds: Record<string, number> = {
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
};

const iso =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const clock = /^(?:(\d+)\s*days?,\s*)?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/;
const unitTerm = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;

function fromIso(match: RegExpExecArray): number {
  const [w, d, h, m, s] = match.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  return w! * 604_800 + d! * 86_400 + h! * 3600 + m! * 60 + s!;
}

function fromUnits(text: string, original: string): number | undefined {
  const compact = text
    .replace(/,/g, " ")
    .replace(/\band\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  let total = 0;
  let index = 0;
  unitTerm.lastIndex = 0;
  for (let guard = 0; index < compact.length && guard < 32; guard++) {
    while (compact[index] === " ") index += 1;
    unitTerm.lastIndex = index;
    const term = unitTerm.exec(compact);
    if (!term) return undefined;
    const seconds = unitSeconds[term[2]!];
    if (seconds === undefined) throw new DurationError(original, `unknown unit "${term[2]}"`);
    total += Number(term[1]) * seconds;
    index = unitTerm.lastIndex;
  }
  return index >= compact.length ? total : undefined;
}

/**
 * Parses a duration as the Jumpstarter CLI does (spec 3) and returns seconds: a bare number is
 * seconds; `30m`, `3h30m`, `1d`, `1h 30m`; ISO-8601 `PT1H30M`, `P1DT2H30M`; `HH:MM:SS` and
 * `2 days, 01:30:00`.
 */
export function parseDuration(value: string | number): number {
  const text = String(value).trim();
  let seconds: number | undefined;
  if (/^\d+(\.\d+)?$/.test(text)) seconds = Number(text);
  else {
    const isoMatch = iso.exec(text);
    const clockMatch = clock.exec(text);
    if (isoMatch && text.length > 1 && text.toUpperCase() !== "PT") seconds = fromIso(isoMatch);
    else if (clockMatch) {
      const [, days, hours, minutes, secs] = clockMatch;
      seconds = Number(days ?? 0) * 86_400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(secs ?? 0);
    } else if (text !== "") seconds = fromUnits(text.toLowerCase(), text);
  }
  if (seconds === undefined || !Number.isFinite(seconds)) throw new DurationError(text, "cannot read it");
  return seconds;
}

/** Parses a duration that must be at least `minSeconds` (acquisition and dial timeouts: 5 s). */
export function parseDurationAtLeast(value: string | number, minSeconds: number, what: string): number {
  const seconds = parseDuration(value);
  if (seconds < minSeconds) {
    throw new DutkitError(
      "ERR_DUTKIT_DURATION",
      `${what} must be at least ${minSeconds} s, got ${JSON.stringify(String(value))}; give a longer duration`,
    );
  }
  return seconds;
}

/** `1h30m`, `45s`, `2d3h`: a short form that parseDuration reads back. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("");
}

/** google.protobuf.Duration from seconds. */
export function durationToWire(seconds: number): { seconds: number; nanos: number } {
  const whole = Math.floor(seconds);
  return { seconds: whole, nanos: Math.round((seconds - whole) * 1e9) };
}

export function durationFromWire(
  duration: { seconds: number; nanos: number } | undefined,
): number | undefined {
  return duration === undefined ? undefined : duration.seconds + duration.nanos / 1e9;
}
