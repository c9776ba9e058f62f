/**
 * The precision the lake stores values with.
 *
 * @module
 */

/** Significant decimal digits kept for values that are not whole numbers. */
export const SIGNIFICANT_DIGITS = 6;

/** 10^0 … 10^22, each exact as a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Rounds a value to the precision the lake stores: whole numbers (byte counts, inodes,
 * processes, connections, counts per second over whole seconds) are kept exactly; other values
 * (ratios, rates over jittery intervals, milliseconds) keep {@linkcode SIGNIFICANT_DIGITS}
 * significant decimal digits, a relative error of at most 5e-6 (a ratio of 0.5 within ±5e-7, a
 * rate of 1000/s within ±0.0005/s). That is finer than any unit in the registry needs (ratios
 * come from 1/100 s jiffies), keeps values readable (`0.37` stays `0.37`) and drops the noise
 * digits that cost space. `NaN` and infinities pass through; so do zeros, with their sign.
 * Values below 1e-17 in magnitude, subnormals down to `Number.MIN_VALUE` included, are rounded
 * through `toPrecision` (a power of ten that large is no longer exact and overflows past 1e308).
 *
 * @param value The value.
 * @returns The rounded value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantizeValue } from "./quantize_value.ts";
 * assert.equal(quantizeValue(17179869184), 17179869184);
 * assert.equal(quantizeValue(0.123456789), 0.123457);
 * assert.equal(quantizeValue(1234.5678901), 1234.57);
 * assert.equal(quantizeValue(12345678.9), 12345700);
 * assert.equal(quantizeValue(1.23456789e-305), 1.23457e-305);
 * assert.equal(quantizeValue(-Number.MIN_VALUE), -Number.MIN_VALUE);
 * ```
 */
export function quantizeValue(value: number): number {
  // Not finite, or a whole number: as is. (Operators rather than Number.isInteger, isFinite
  // and Math.abs: the collector runs this in V8's interpreter, where each call costs.)
  if (value - value !== 0 || Math.floor(value) === value) return value;
  const digits = SIGNIFICANT_DIGITS - 1 - Math.floor(Math.log10(value < 0 ? -value : value));
  if (digits > 22) return Number(value.toPrecision(SIGNIFICANT_DIGITS));
  if (digits >= 0) {
    const scale = POWERS_OF_TEN[digits]!; // exact for digits ≤ 22, so the division rounds correctly
    return Math.round(value * scale) / scale;
  }
  const scale = 10 ** -digits;
  return Math.round(value / scale) * scale;
}
