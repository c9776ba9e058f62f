/**
 * Rolling-origin backtest of a forecasting model over the end of a history.
 *
 * @module
 */

import { type BacktestErrors, rollingOrigins } from "./backtest_fitted.ts";

export type { BacktestErrors };
import type { ModelForecast } from "../models/model_forecast.ts";

/** Options of {@linkcode backtest}. */
export interface BacktestOptions {
  /** Steps forecast from each origin (≥ 1). */
  horizon: number;
  /** Number of origins (default 6). Fewer are used when the history is short. */
  origins?: number;
  /** Points between consecutive origins (default ⌈horizon / 2⌉). */
  step?: number;
  /** Smallest training length (default 8). */
  minTrain?: number;
}

// Tashman (2000), "Out-of-sample tests of forecasting accuracy", IJF 16(4): rolling origin.
/**
 * Refits `model` on `values[0, origin)` at each origin and records the errors of its forecasts
 * of the next `horizon` points. Origins end at `n − horizon` and step back by `step`; none fit
 * when `n − horizon < minTrain` (empty result).
 *
 * @param values Gap-free history to forecast from (actuals may be `NaN`: pass the raw series as
 * `actual`).
 * @param model Fits a training prefix and forecasts.
 * @param options Horizon, number and spacing of origins, minimum training length.
 * @param actual Values to score against (default `values`).
 * @returns Errors per origin.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtest } from "./backtest.ts";
 * import { drift } from "../models/drift.ts";
 * const y = Float64Array.from({ length: 30 }, (_, i) => 2 * i);
 * const r = backtest(y, (train, h) => drift(train, h), { horizon: 3, origins: 2 });
 * assert.deepEqual(r.origins, [25, 27]);
 * assert.ok(Math.abs(r.errors[0]![2]!) < 1e-9);
 * ```
 */
export function backtest(
  values: Float64Array,
  model: (train: Float64Array, horizon: number) => ModelForecast,
  options: BacktestOptions,
  actual: Float64Array = values,
): BacktestErrors {
  const h = options.horizon;
  const origins = rollingOrigins(values.length, options);
  const errors: Float64Array[] = [], actuals: Float64Array[] = [], sd: Float64Array[] = [];
  for (const o of origins) {
    const f = model(values.subarray(0, o), h);
    const a = actual.slice(o, o + h);
    errors.push(a.map((v, i) => v - f.mean[i]!));
    actuals.push(a);
    sd.push(f.sd);
  }
  return { origins, errors, actuals, sd };
}
