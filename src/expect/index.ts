export { type BadPattern, BadPatternSet, UBOOT_BAD_PATTERNS } from "./bad-patterns.ts";
export {
  DEFAULT_TIMEOUT_MS,
  ExpectConsole,
  type ExpectConsoleOptions,
  type ExpectOptions,
  type ExpectResult,
} from "./console.ts";
export {
  ExpectBadPatternError,
  ExpectEofError,
  ExpectError,
  type ExpectErrorContext,
  ExpectStateError,
  ExpectTimeoutError,
} from "./errors.ts";
export { lastSeen, printable, printableLines } from "./escape.ts";
export { describePattern, EOF, type Pattern, TIMEOUT } from "./patterns.ts";
export {
  recentTranscripts,
  Transcript,
  type TranscriptDirection,
  type TranscriptEntry,
  type TranscriptMark,
  type TranscriptOptions,
} from "./transcript.ts";
