/**
 * Rolling-origin backtest of models fitted once: each origin re-runs the fitted model's filter
 * over the prefix instead of refitting.
 *
 * @module
 */

import type { FittedModel } from "../models/model_forecast.ts";

/** Errors of a backtest: one row per origin. */
export interface BacktestErrors {
  /** Training lengths (forecast origins), oldest first. */
  origins: number[];
  /** `actual − forecast` per origin and step (`NaN` where the actual is missing). */
  errors: Float64Array[];
  /** Actual values per origin and step. */
  actuals: Float64Array[];
  /** Analytic standard deviations per origin and step from the model. */
  sd: Float64Array[];
}

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

/** A backtest that fits the history: steps per origin and the smallest training length. */
export interface BacktestPlan {
  /** Steps forecast from each origin, 1…horizon. */
  horizon: number;
  /** Smallest training length. */
  minTrain: number;
}

/**
 * Plans a rolling-origin backtest. A history with room for min(4, `origins`) origins at the
 * full horizon keeps it and `minTrain`. Otherwise (a horizon close to the history length) the
 * backtest is shortened: training grows to at least half the history, so that early origins do
 * not extrapolate from a handful of points, and the horizon becomes the longest that still
 * leaves that many origins ⌈h / 4⌉ apart (or, failing that, the most origins; with none at
 * all, the full horizon and `minTrain`).
 *
 * @param n History length.
 * @param options Full horizon, largest number of origins (default 6), smallest training length
 * (default 8).
 * @returns Backtest horizon and training length for {@linkcode rollingOrigins}.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestPlan } from "./backtest_fitted.ts";
 * assert.deepEqual(backtestPlan(500, { horizon: 24 }), { horizon: 24, minTrain: 8 });
 * assert.deepEqual(backtestPlan(336, { horizon: 336, origins: 40 }), { horizon: 96, minTrain: 168 });
 * ```
 */
export function backtestPlan(n: number, options: RollingOriginsOptions): BacktestPlan {
  const wanted = options.origins ?? 6, need = Math.min(4, wanted);
  const minTrain = Math.max(1, options.minTrain ?? 8);
  const count = (h: number, m: number) =>
    n - h < m ? 0 : Math.min(wanted, Math.floor((n - h - m) / Math.ceil(h / 4)) + 1);
  if (count(options.horizon, minTrain) >= need) return { horizon: options.horizon, minTrain };
  for (const m of [Math.max(minTrain, n >> 1), minTrain]) {
    let best = 0, most = 0;
    for (let h = options.horizon; h >= 1 && most < need; h--) {
      const c = count(h, m);
      if (c > most) best = h, most = c;
    }
    if (most > 0) return { horizon: best, minTrain: m };
  }
  return { horizon: options.horizon, minTrain };
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
