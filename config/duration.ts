/**
 * Durations as people write them in a config file or on a command line (`500ms`, `15m`,
 * `1h30m`, `7d`), and back into words for messages (`7 min`, `2.5 h`, `3 days`).
 *
 * @module
 */

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const BARE = /^\d+(\.\d+)?$/;

/** The longest duration anything accepts: the span of a JavaScript `Date`, in ms. */
export const MAX_DURATION_MS = 8.64e15;

/**
 * Reads the duration grammar every surface shares: parts like `1h30m`, `250ms`, `7d`, `2w`.
 * What a bare number means differs by surface and is said by the caller: seconds on the command
 * line (`--interval 2`), milliseconds in the HTTP API (like its times), refused in the config file.
 *
 * @param text The duration.
 * @param bare The unit of a bare number; without one a bare number is refused.
 * @returns Milliseconds (may be zero or huge: callers check the range), or `undefined` when the
 *   text does not read as a duration.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDuration } from "./duration.ts";
 * assert.equal(readDuration("1h30m"), 5_400_000);
 * assert.equal(readDuration("2", "s"), 2000);
 * assert.equal(readDuration("2", "ms"), 2);
 * assert.equal(readDuration("2"), undefined);
 * ```
 */
export function readDuration(text: string, bare?: "s" | "ms"): number | undefined {
  const trimmed = text.trim();
  if (BARE.test(trimmed)) {
    return bare === undefined ? undefined : Number(trimmed) * (bare === "s" ? 1000 : 1);
  }
  const parts = [...trimmed.matchAll(PART)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) return undefined;
  let ms = 0;
  for (const p of parts) ms += Number(p[1]) * UNITS[p[2]!]!;
  return ms;
}

/**
 * Parses a duration with units (`500ms`, `1s`, `15m`, `1h30m`, `7d`, `2w`) into milliseconds.
 * A bare number is refused: whether it meant seconds or milliseconds is exactly the ambiguity a
 * config file should not have.
 *
 * @param text The duration.
 * @returns Milliseconds, greater than zero and finite.
 * @throws {RangeError} If the text is not a positive duration with units.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert.equal(parseDuration("1h30m"), 5_400_000);
 * assert.equal(parseDuration("250ms"), 250);
 * assert.throws(() => parseDuration("5 minutes"), /invalid duration "5 minutes"/);
 * ```
 */
export function parseDuration(text: string): number {
  const ms = readDuration(text);
  if (ms === undefined) {
    throw new RangeError(`invalid duration "${text}" (use e.g. 500ms, 1s, 15m, 7d)`);
  }
  if (!(ms > 0)) throw new RangeError(`invalid duration "${text}" (must be greater than zero)`);
  if (!(ms <= MAX_DURATION_MS)) {
    throw new RangeError(`invalid duration "${text}" (longer than ${MAX_DURATION_MS} ms)`);
  }
  return ms;
}

const WORDS: [number, string, string][] = [
  [604_800_000 * 52, "year", "years"],
  [86_400_000, "day", "days"],
  [3_600_000, "h", "h"],
  [60_000, "min", "min"],
  [1000, "s", "s"],
];

/**
 * Says a duration in the largest unit it fills, for messages and pages: whole minutes and
 * seconds, hours and days with a tenth below ten: `7 min`, `2.5 h`, `1 day`, `3.2 days`.
 *
 * @param ms Milliseconds (negative values are written with a minus sign).
 * @returns The words; `"0 s"` for zero, `"unknown"` for NaN or infinity.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./duration.ts";
 * assert.equal(formatDuration(600_000), "10 min");
 * assert.equal(formatDuration(9_000_000), "2.5 h");
 * assert.equal(formatDuration(86_400_000), "1 day");
 * assert.equal(formatDuration(250), "250 ms");
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "unknown";
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return "0 s";
  for (const [size, one, many] of WORDS) {
    if (ms >= size) {
      const n = ms / size;
      // minutes and seconds read best whole; hours, days and years keep a tenth below ten
      const whole = n >= 10 || size <= 60_000;
      const shown = whole ? Math.round(n) : Math.round(n * 10) / 10;
      return `${shown} ${shown === 1 ? one : many}`;
    }
  }
  return `${Math.round(ms)} ms`;
}
