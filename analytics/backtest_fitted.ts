/**
 * Rolling-origin backtest of models fitted once: each origin re-runs the fitted model's filter
 * over the prefix instead of refitting.
 *
 * @module
 */

import type { BacktestErrors } from "./backtest.ts";
import type { FittedModel } from "./models/model_forecast.ts";

/** Options of {@linkcode rollingOrigins}. */
export interface RollingOriginsOptions {
  /** Steps forecast from each origin (≥ 1). */
  horizon: number;
  /** Largest number of origins (default 6). */
  origins?: number;
  /** Points between consecutive origins (default ⌈horizon / 2⌉). */
  step?: number;
  /** Smallest training length (default 8). */
  minTrain?: number;
}

/**
 * Forecast origins (training lengths) of a rolling-origin backtest over the end of `n` points:
 * the last is `n − horizon`, earlier ones step back by `step` while at least `minTrain`.
 *
 * @param n History length.
 * @param options Horizon, count, spacing, minimum training length.
 * @returns Origins, oldest first (empty when `n − horizon < minTrain`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rollingOrigins } from "./backtest_fitted.ts";
 * assert.deepEqual(rollingOrigins(30, { horizon: 3, origins: 2 }), [25, 27]);
 * ```
 */
export function rollingOrigins(n: number, options: RollingOriginsOptions): number[] {
  const h = options.horizon, step = Math.max(1, options.step ?? Math.ceil(h / 2));
  const minTrain = Math.max(1, options.minTrain ?? 8), out: number[] = [];
  for (let j = 0; j < (options.origins ?? 6); j++) {
    const o = n - h - j * step;
    if (o < minTrain) break;
    out.unshift(o);
  }
  return out;
}

// Tashman (2000), "Out-of-sample tests of forecasting accuracy", IJF 16(4): rolling origin, here
// with parameters fitted once on the whole history (states re-filtered per origin).
/**
 * Forecasts from each origin with `model.at` and records `actual − forecast`.
 *
 * @param model A model fitted to the history.
 * @param actual Values to score against (`NaN` for missing actuals gives `NaN` errors).
 * @param origins Origins from {@linkcode rollingOrigins}.
 * @param horizon Steps per origin.
 * @returns Errors, actuals and analytic standard deviations per origin.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestFitted } from "./backtest_fitted.ts";
 * const last = { params: {}, at: (end: number, h: number) => ({
 *   mean: new Float64Array(h).fill(end - 1), sd: new Float64Array(h), params: {} }) };
 * const r = backtestFitted(last, Float64Array.from({ length: 10 }, (_, i) => i), [8], 2);
 * assert.deepEqual([...r.errors[0]!], [1, 2]);
 * ```
 */
export function backtestFitted(
  model: FittedModel,
  actual: Float64Array,
  origins: number[],
  horizon: number,
): BacktestErrors {
  const errors: Float64Array[] = [], actuals: Float64Array[] = [], sd: Float64Array[] = [];
  for (const o of origins) {
    const f = model.at(o, horizon), a = actual.slice(o, o + horizon), e = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) e[h] = a[h]! - f.mean[h]!;
    errors.push(e), actuals.push(a), sd.push(f.sd);
  }
  return { origins: [...origins], errors, actuals, sd };
}
