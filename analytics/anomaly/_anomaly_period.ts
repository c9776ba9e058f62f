/**
 * Dominant period of a series by autocorrelation, for the anomaly detector's seasonal feature.
 *
 * @module
 */

/**
 * Finds the shortest lag whose autocorrelation peaks within 10 % of the highest one above
 * `minCorrelation` (Box & Jenkins sample autocorrelation, rescaled by `n/(n − lag)` so long lags
 * are not penalized; the shortest such peak is the fundamental, not one of its multiples).
 *
 * Degenerate input: fewer than `2·minLag` finite values, a constant series, or no lag reaching
 * `minCorrelation` give `0` (no period). `NaN` values are not allowed (callers skip them).
 *
 * @param values The series (no `NaN`).
 * @param minLag Smallest lag tried.
 * @param minCorrelation Autocorrelation a lag must exceed.
 * @returns The period in points, or `0`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dominantPeriod } from "./_anomaly_period.ts";
 * const wave = Float64Array.from({ length: 400 }, (_, i) => Math.sin((2 * Math.PI * i) / 50));
 * assert.equal(dominantPeriod(wave, 10, 0.6), 50);
 * ```
 */
export function dominantPeriod(
  values: Float64Array,
  minLag: number,
  minCorrelation: number,
): number {
  const n = values.length;
  if (n < 2 * minLag) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i]! - mean) ** 2;
  if (!(variance > 0) || !Number.isFinite(variance)) return 0;
  const maxLag = n >> 1;
  const r = new Float64Array(maxLag + 2);
  let bestR = minCorrelation;
  for (let lag = minLag; lag <= maxLag; lag++) {
    let c = 0;
    for (let i = lag; i < n; i++) c += (values[i]! - mean) * (values[i - lag]! - mean);
    r[lag] = (c / variance) * (n / (n - lag));
    if (r[lag]! > bestR) bestR = r[lag]!;
  }
  // Prefer the fundamental: the first local peak within 10 % of the best (not a multiple of it).
  for (let lag = minLag; lag <= maxLag; lag++) {
    if (r[lag]! > minCorrelation && r[lag]! >= 0.9 * bestR && r[lag]! >= r[lag + 1]!) return lag;
  }
  return 0;
}
