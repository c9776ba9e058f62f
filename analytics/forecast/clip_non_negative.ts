/**
 * The floor of a forecast of a metric that has never been negative.
 *
 * @module
 */

import type { ForecastResult } from "./forecast_result.ts";

/**
 * Clips the point forecast and both intervals at 0 when every (finite) history value is ≥ 0.
 * Bytes, rates and ratios cannot go below 0, and a history that never did is the evidence that
 * the metric is one of them: this is a rule, not a constant fitted to any data. A history with
 * any negative value (a standardized column, a temperature) is returned untouched, as is one
 * with no finite value (its forecast is `NaN`). When the actual values are ≥ 0 the clip can
 * only bring the point nearer them and narrow an interval without leaving them outside it.
 *
 * @param result The forecast; its arrays are clipped in place.
 * @param history The history it was made from (`NaN` for missing).
 * @returns `result`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clipNonNegative } from "./clip_non_negative.ts";
 * const arr = (x: number) => new Float64Array([x]);
 * const f = { mean: arr(-0.1), lo80: arr(-0.2), hi80: arr(0.1), lo95: arr(-0.3), hi95: arr(0.2) };
 * clipNonNegative(f as never, new Float64Array([0, 1, NaN, 0]));
 * assert.deepEqual([f.mean[0], f.lo80[0], f.hi80[0], f.lo95[0], f.hi95[0]], [0, 0, 0.1, 0, 0.2]);
 * ```
 */
export function clipNonNegative(result: ForecastResult, history: Float64Array): ForecastResult {
  let finite = false;
  for (const v of history) {
    if (v < 0) return result;
    if (v === v) finite = true;
  }
  if (!finite) return result;
  for (const a of [result.mean, result.lo80, result.hi80, result.lo95, result.hi95]) {
    // `NaN < 0` is false: a missing forecast stays missing, not 0
    for (let h = 0; h < a.length; h++) if (a[h]! < 0) a[h] = 0;
  }
  return result;
}
