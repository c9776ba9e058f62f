/**
 * Parser for the pressure stall information files `/proc/pressure/{cpu,memory,io}`.
 *
 * @module
 */

/** Total stall time in microseconds since boot, per kind. */
export interface Pressure {
  /** Some tasks stalled (µs); `undefined` if the line is absent. */
  some?: number;
  /** All non-idle tasks stalled (µs); `undefined` if the line is absent. */
  full?: number;
}

/**
 * Parses one PSI file, keeping each line's `total=` counter (microseconds). Lines that are not
 * `some …` or `full …` with a numeric `total=` are skipped.
 *
 * @param text The file's contents.
 * @returns The totals found.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePressure } from "./parse_pressure.ts";
 * const p = parsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=1500\n");
 * assert.deepEqual(p, { some: 1500 });
 * ```
 */
export function parsePressure(text: string): Pressure {
  const out: Pressure = {};
  for (const line of text.split("\n")) {
    const kind = line.startsWith("some ") ? "some" : line.startsWith("full ") ? "full" : undefined;
    if (!kind) continue;
    const at = line.indexOf("total=");
    if (at < 0) continue;
    const value = Number(line.slice(at + 6).trim());
    if (Number.isFinite(value)) out[kind] = value;
  }
  return out;
}
