/**
 * Assembles the result of `forecast()` from the combined forecast, its calibration and scores.
 *
 * @module
 */

import type { FittedForecast, ForecastCandidate } from "./forecast_fitted.ts";
import type { IntervalCalibration } from "./forecast_intervals.ts";
import type { Prepared } from "./forecast_prepare.ts";

/** Result of `forecast()`. */
export interface ForecastResult {
  /** Chosen model (`combo` for a weighted mix of `fitted.members`; `none` without data). */
  model: string;
  /** Point forecasts, steps 1…horizon. */
  mean: Float64Array;
  /** Lower bound of the 80 % interval. */
  lo80: Float64Array;
  /** Upper bound of the 80 % interval. */
  hi80: Float64Array;
  /** Lower bound of the 95 % interval. */
  lo95: Float64Array;
  /** Upper bound of the 95 % interval. */
  hi95: Float64Array;
  /**
   * Backtest accuracy of the chosen model (`NaN` scores when no origin fitted), over
   * `fitted.intervals.backtestHorizon` steps: fewer than `horizon` when the history is too short.
   */
  backtest: ForecastCandidate;
  /** Every candidate's backtest accuracy, best first. */
  candidates: ForecastCandidate[];
  /** Serializable description of the fitted model. */
  fitted: FittedForecast;
}

/** The parts {@linkcode assembleResult} puts together (means and errors in scaled units). */
export interface ResultParts {
  /** Model name. */
  model: string;
  /** Scaled point forecasts. */
  mean: Float64Array;
  /** Interval calibration in scaled units. */
  cal: IntervalCalibration;
  /** Members with their weight per step. */
  weights: Record<string, number[]>;
  /** Fitted parameters per member. */
  params: FittedForecast["params"];
  /** Combined backtest errors (scaled), one row per origin of the backtested steps. */
  errors: Float64Array[];
  /** Accuracy of the chosen model. */
  backtest: ForecastCandidate;
  /** All candidates, best first. */
  candidates: ForecastCandidate[];
  /** Sampling step in ms. */
  stepMs: number;
}

/**
 * Unscales the forecast, sets the intervals and writes the serializable description.
 *
 * @param prep The prepared history.
 * @param parts Forecast, calibration, weights and scores.
 * @returns The result of `forecast()`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assembleResult } from "./forecast_result.ts";
 * const prep = { horizon: 1, y: new Float64Array([0]), raw: new Float64Array([0]), center: 5,
 *   scale: 2, finite: 1, periods: [], names: [] };
 * const cal = { method: "analytic" as const, scale: new Float64Array([1]), q80: 1, q95: 2, samples: 0 };
 * const none = { name: "x", mse: NaN, mae: NaN, wape: NaN, coverage80: NaN, coverage95: NaN, origins: 0 };
 * const r = assembleResult(prep, { model: "x", mean: new Float64Array([1]), cal, weights: {},
 *   params: {}, errors: [], backtest: none, candidates: [], stepMs: NaN });
 * assert.deepEqual([r.mean[0], r.lo95[0], r.hi80[0]], [7, 3, 9]);
 * ```
 */
export function assembleResult(prep: Prepared, parts: ResultParts): ForecastResult {
  const { center, scale, horizon } = prep, { cal } = parts;
  const mean = new Float64Array(horizon), lo80 = new Float64Array(horizon);
  const hi80 = new Float64Array(horizon), lo95 = new Float64Array(horizon);
  const hi95 = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    const m = center + scale * parts.mean[h]!, w = scale * cal.scale[h]!;
    mean[h] = m, lo80[h] = m - cal.q80 * w, hi80[h] = m + cal.q80 * w;
    lo95[h] = m - cal.q95 * w, hi95[h] = m + cal.q95 * w;
  }
  let rm = 0, rs = 0, rc = 0;
  for (const row of parts.errors) for (const e of row) if (e === e) rc++, rm += (e - rm) / rc;
  for (const row of parts.errors) for (const e of row) if (e === e) rs += (e - rm) ** 2;
  return {
    model: parts.model,
    mean,
    lo80,
    hi80,
    lo95,
    hi95,
    backtest: parts.backtest,
    candidates: parts.candidates,
    fitted: {
      version: 1,
      model: parts.model,
      members: Object.keys(parts.weights),
      weights: parts.weights,
      horizon,
      periods: prep.periods,
      stepMs: parts.stepMs,
      n: prep.y.length,
      center,
      scale,
      params: parts.params,
      intervals: {
        method: cal.method,
        scale: [...cal.scale].map((v) => v * scale),
        q80: cal.q80,
        q95: cal.q95,
        samples: cal.samples,
        backtestHorizon: parts.errors[0]?.length ?? 0,
      },
      backtest: parts.backtest,
      residuals: {
        mean: rm * scale,
        sd: rc > 1 ? Math.sqrt(rs / (rc - 1)) * scale : NaN,
        count: rc,
      },
      candidates: parts.candidates,
    },
  };
}
