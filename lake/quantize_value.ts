/**
 * The precision the lake stores values with.
 *
 * @module
 */

/** Significant bits kept for values that are not whole numbers. */
export const SIGNIFICANT_BITS = 16;

/**
 * Rounds a value to the precision the lake stores: whole numbers (byte counts, inodes,
 * processes, connections) are kept exactly; other values (ratios, rates, milliseconds) keep
 * {@linkcode SIGNIFICANT_BITS} significant bits, a relative error below 2⁻¹⁷ ≈ 7.6e-6 (a ratio
 * of 0.5 within ±4e-6, a rate of 1000/s within ±0.008/s). That is finer than any unit in the
 * registry needs (ratios come from 1/100 s jiffies) and leaves the low mantissa bytes zero, which
 * Parquet then compresses to almost nothing. `NaN` and infinities pass through.
 *
 * @param value The value.
 * @returns The rounded value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantizeValue } from "./quantize_value.ts";
 * assert.equal(quantizeValue(17179869184), 17179869184);
 * assert.ok(Math.abs(quantizeValue(0.123456789) - 0.123456789) < 0.123456789 * 2 ** -17);
 * assert.equal(quantizeValue(0.5), 0.5);
 * ```
 */
export function quantizeValue(value: number): number {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value;
  const exponent = Math.floor(Math.log2(Math.abs(value)));
  const scale = 2 ** (SIGNIFICANT_BITS - 1 - exponent);
  return Math.round(value * scale) / scale;
}
