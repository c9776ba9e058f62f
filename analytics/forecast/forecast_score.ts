/**
 * Backtest accuracy of a candidate in the series' units, with out-of-fold interval coverage.
 *
 * @module
 */

import type { BacktestErrors } from "./backtest.ts";
import type { ForecastCandidate } from "./forecast_fitted.ts";
import { calibrateIntervals } from "./forecast_intervals.ts";

/**
 * Share of backtest errors inside intervals calibrated on the other origins, with the origins
 * split into `folds` contiguous blocks (cross-validated coverage). Fewer than 4 origins give
 * `NaN`.
 *
 * @param errors Errors per origin.
 * @param analytic Analytic standard deviation per step (fallback of the calibration).
 * @param folds Number of blocks (default 4).
 * @returns Coverage of the 80 % and 95 % intervals.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldCoverage } from "./forecast_score.ts";
 * assert.deepEqual(foldCoverage([], new Float64Array(2)), [NaN, NaN]);
 * ```
 */
export function foldCoverage(
  errors: Float64Array[],
  analytic: Float64Array,
  folds = 4,
): [number, number] {
  const n = errors.length;
  if (n < 4) return [NaN, NaN];
  let in80 = 0, in95 = 0, k = 0;
  for (let f = 0; f < folds; f++) {
    const a = Math.floor((f * n) / folds), b = Math.floor(((f + 1) * n) / folds);
    const c = calibrateIntervals(errors.slice(0, a).concat(errors.slice(b)), analytic);
    for (let r = a; r < b; r++) {
      const row = errors[r]!;
      for (let h = 0; h < row.length; h++) {
        const e = Math.abs(row[h]!);
        if (e === e) k++, in80 += +(e <= c.q80 * c.scale[h]!), in95 += +(e <= c.q95 * c.scale[h]!);
      }
    }
  }
  return k ? [in80 / k, in95 / k] : [NaN, NaN];
}

/**
 * Scores a backtest run: MSE, MAE and WAPE in the series' units (errors and actuals were
 * scaled as (v − center) / scale) and cross-validated coverage.
 *
 * @param name Candidate name.
 * @param run Backtest errors in scaled units.
 * @param center Scaling center.
 * @param scale Scaling factor.
 * @returns The candidate's accuracy (`NaN` scores without origins).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreRun } from "./forecast_score.ts";
 * const run = { origins: [5], errors: [new Float64Array([1])], actuals: [new Float64Array([0])],
 *   sd: [new Float64Array([1])] };
 * assert.equal(scoreRun("x", run, 10, 2).mse, 4);
 * ```
 */
export function scoreRun(
  name: string,
  run: BacktestErrors,
  center: number,
  scale: number,
): ForecastCandidate {
  let se = 0, ae = 0, aa = 0, count = 0;
  for (let r = 0; r < run.errors.length; r++) {
    const e = run.errors[r]!, a = run.actuals[r]!;
    for (let h = 0; h < e.length; h++) {
      const v = e[h]! * scale;
      if (v === v) se += v * v, ae += Math.abs(v), aa += Math.abs(center + a[h]! * scale), count++;
    }
  }
  const [c80, c95] = foldCoverage(run.errors, run.sd[run.sd.length - 1] ?? new Float64Array());
  return {
    name,
    mse: count ? se / count : NaN,
    mae: count ? ae / count : NaN,
    wape: count && aa > 0 ? ae / aa : NaN,
    coverage80: c80,
    coverage95: c95,
    origins: run.origins.length,
  };
}
