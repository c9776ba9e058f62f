/**
 * Seasonal mean forecast: each phase of the cycle is the average of its last few cycles.
 *
 * @module
 */

import type { ModelForecast } from "./model_forecast.ts";

// Seasonal (climatological) average benchmark, e.g. Hyndman & Athanasopoulos, FPP3 §5.2 (mean
// method applied per season over a recent window).
/**
 * Averages each phase over the last `cycles` full cycles (fewer if the history is shorter; the
 * plain mean of the last `cycles` points when `period` < 2 or shorter than one cycle). σ comes
 * from the deviations of that window from its phase means. Empty input gives `NaN`.
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead.
 * @param period Cycle length in points.
 * @param cycles Cycles to average (≥ 1).
 * @returns Means, analytic standard deviations, parameters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonalMean } from "./seasonal_mean.ts";
 * assert.deepEqual([...seasonalMean(new Float64Array([1, 2, 3, 4]), 2, 2, 2).mean], [2, 3]);
 * ```
 */
export function seasonalMean(
  values: Float64Array,
  horizon: number,
  period: number,
  cycles: number,
): ModelForecast {
  const n = values.length;
  const m = period >= 2 && n >= period ? Math.round(period) : 1;
  const k = Math.max(1, Math.min(Math.round(cycles), Math.floor(n / m)));
  const phase = new Float64Array(m);
  for (let c = 1; c <= k; c++) {
    for (let j = 0; j < m; j++) phase[j] = phase[j]! + values[n - c * m + j]! / k;
  }
  let ss = 0;
  for (let c = 1; c <= k; c++) {
    for (let j = 0; j < m; j++) ss += (values[n - c * m + j]! - phase[j]!) ** 2;
  }
  const sigma = k * m > 1 ? Math.sqrt(ss / (k * m - 1)) * Math.sqrt(1 + 1 / k) : 0;
  const mean = new Float64Array(horizon), sd = new Float64Array(horizon).fill(sigma);
  for (let h = 0; h < horizon; h++) mean[h] = n ? phase[h % m]! : NaN;
  return { mean, sd, params: { period: m, cycles: k, sigma } };
}
