/**
 * The mean backtest error of a forecast per step, for an intercept correction (session 27,
 * opt-in; README: Forecasting, "The mix's last error").
 *
 * @module
 */
import { smoothedStepMean } from "./forecast_combine.ts";

// Clements & Hendry (1996), "Intercept corrections and structural change", J. Applied Econometrics
// 11(5): a forecast that has been off by the same amount lately is shifted by it, which makes it
// robust to a level shift the model has not followed. The mean is pooled over the same steps as
// the weights' MSE (`smoothedMse`), so a step does not rest on a handful of errors.
/**
 * Mean backtest error per step, averaged over the steps max(`minHalfWidth`, ⌊h/2⌋) either side of
 * h (as `smoothedMse`, without the square). Steps without a finite error are `NaN`.
 *
 * @param errors Backtest errors, one array of `horizon` per origin.
 * @param horizon Steps.
 * @param minHalfWidth Smallest number of steps pooled on either side (default 0).
 * @returns Mean error per step.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smoothedMeanError } from "./mix_bias.ts";
 * const m = smoothedMeanError([new Float64Array([1, -3, 3]), new Float64Array([1, 1, 1])], 3);
 * assert.deepEqual([...m], [1, 2 / 3, 0.5]);
 * ```
 */
export function smoothedMeanError(
  errors: Float64Array[],
  horizon: number,
  minHalfWidth = 0,
): Float64Array {
  return smoothedStepMean(errors, horizon, minHalfWidth, false);
}
