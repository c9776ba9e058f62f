/**
 * Seasonal naive forecast: repeat the last cycle.
 *
 * @module
 */

import type { ModelForecast } from "./model_forecast.ts";

// Hyndman & Athanasopoulos, Forecasting: Principles and Practice (3rd ed.), §5.2 and §5.5
// (benchmark methods; h-step variance σ²(⌊(h − 1)/m⌋ + 1)).
/**
 * Repeats the last `period` values. With fewer than `period` points (or period < 2) it repeats
 * the last value (naive). σ is estimated from the in-sample seasonal differences (0 when there
 * are none). Empty input gives `NaN` forecasts.
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead.
 * @param period Cycle length in points.
 * @returns Means, analytic standard deviations, parameters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonalNaive } from "./seasonal_naive.ts";
 * assert.deepEqual([...seasonalNaive(new Float64Array([1, 2, 3, 4]), 3, 2).mean], [3, 4, 3]);
 * ```
 */
export function seasonalNaive(
  values: Float64Array,
  horizon: number,
  period: number,
): ModelForecast {
  const n = values.length;
  const m = period >= 2 && n >= period ? Math.round(period) : 1;
  const mean = new Float64Array(horizon), sd = new Float64Array(horizon);
  let ss = 0, k = 0;
  for (let i = m; i < n; i++) (ss += (values[i]! - values[i - m]!) ** 2, k++);
  const sigma = k ? Math.sqrt(ss / k) : 0;
  for (let h = 0; h < horizon; h++) {
    mean[h] = n ? values[n - m + (h % m)]! : NaN;
    sd[h] = sigma * Math.sqrt(Math.floor(h / m) + 1);
  }
  return { mean, sd, params: { period: m, sigma } };
}
