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
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(PART)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) {
    throw new RangeError(`invalid duration "${text}" (use e.g. 500ms, 1s, 15m, 7d)`);
  }
  let ms = 0;
  for (const p of parts) ms += Number(p[1]) * UNITS[p[2]!]!;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new RangeError(`invalid duration "${text}" (must be greater than zero)`);
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
