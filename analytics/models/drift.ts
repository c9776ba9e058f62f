/**
 * Random walk with drift.
 *
 * @module
 */

import type { ModelForecast } from "./model_forecast.ts";

// Hyndman & Athanasopoulos, Forecasting: Principles and Practice (3rd ed.), §5.2 and Table 5.2:
// ŷ(h) = y_n + h·(y_n − y_1)/(n − 1), σ_h = σ·√(h(1 + h/(n − 1))).
/**
 * Extends the line from the first to the last value. One point gives a flat forecast with zero
 * spread; empty input gives `NaN`.
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead.
 * @returns Means, analytic standard deviations, parameters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drift } from "./drift.ts";
 * assert.deepEqual([...drift(new Float64Array([1, 2, 3]), 2).mean], [4, 5]);
 * ```
 */
export function drift(values: Float64Array, horizon: number): ModelForecast {
  const n = values.length;
  const last = n ? values[n - 1]! : NaN;
  const slope = n > 1 ? (last - values[0]!) / (n - 1) : 0;
  let ss = 0;
  for (let i = 1; i < n; i++) ss += (values[i]! - values[i - 1]! - slope) ** 2;
  const sigma = n > 2 ? Math.sqrt(ss / (n - 2)) : 0;
  const mean = new Float64Array(horizon), sd = new Float64Array(horizon);
  for (let h = 1; h <= horizon; h++) {
    mean[h - 1] = last + h * slope;
    sd[h - 1] = sigma * Math.sqrt(h * (1 + h / Math.max(1, n - 1)));
  }
  return { mean, sd, params: { slope, sigma } };
}
