/**
 * A correction of the combination's first steps by its latest one-step error (session 27, opt-in;
 * README: Forecasting, "The mix's last error").
 *
 * @module
 */

import { backtestFitted } from "./backtest_fitted.ts";
import type { FittedModel } from "../models/model_forecast.ts";

// Most candidates are fitted to the error of 1…H-step forecasts, so the mix's one-step errors stay
// autocorrelated (φ 0.4–0.97 for ETS on ETTh2's columns): the last one says where the level has
// gone that the mix has not followed. Chatfield (1978) and Taylor (2003) add φ^h·e_T to one model;
// here it is added to the combination, either as that AR(1) decay ("ar1") or with a slope per step
// fitted directly ("direct": the least-squares regression of the mix's h-step error at origin t on
// its one-step error at t − 1, which assumes no error process).
/** Options of {@linkcode mixCorrection}. */
export interface MixCorrectionOptions {
  /** `"direct"`: a slope per step; `"ar1"`: φ^h with φ from the one-step errors. */
  form: "direct" | "ar1";
  /** Pairs (stride-1 origins) each slope is estimated on (default 96). */
  origins?: number;
  /** Steps corrected (`"direct"` only; `"ar1"` decays over the whole horizon). */
  steps: number;
  /** Smallest training length of an origin. */
  minTrain: number;
}

/**
 * The amount to add to each step of a combination's forecast: the slope of its step-h error on its
 * previous one-step error (or φ^h), estimated over the last `origins` stride-1 origins of the
 * history with the candidates' fitted filters and the combination's own weights, times its
 * one-step error at the last point. Slopes are clipped to [0, 1] (φ to [0, 0.99]) so that a
 * correction never reverses or amplifies the error; a step with fewer than 8 pairs, or a history
 * whose last one-step error is missing, gets 0.
 *
 * @param fits The candidates, fitted to the history.
 * @param weights Their weights per step (horizon long).
 * @param actual The history scored against (`NaN` for missing), as the fits see it.
 * @param options Form, origins, steps, smallest training length.
 * @returns Correction per step (horizon long).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixCorrection } from "./mix_correction.ts";
 * // a forecast that lags by holding the value two points back: its errors follow the last one
 * const y = Float64Array.from({ length: 200 }, (_, i) => i);
 * const lag = { params: {}, at: (end: number, h: number) => ({
 *   mean: new Float64Array(h).fill(y[end - 2] ?? 0), sd: new Float64Array(h), params: {} }) };
 * const c = mixCorrection([lag], [new Float64Array([1, 1])], y, { form: "direct", steps: 2, minTrain: 8 });
 * assert.deepEqual([...c], [2, 2]);
 * ```
 */
export function mixCorrection(
  fits: FittedModel[],
  weights: Float64Array[],
  actual: Float64Array,
  options: MixCorrectionOptions,
): Float64Array {
  const H = weights[0]?.length ?? 0, n = actual.length, K = options.origins ?? 96;
  const L = options.form === "direct" ? Math.max(1, Math.min(options.steps, H)) : 1;
  const out = new Float64Array(H);
  const first = Math.max(options.minTrain, n - K - L);
  if (H === 0 || n - first < 10) return out;
  const origins = Array.from({ length: n - first }, (_, i) => first + i);
  // the mix's errors per origin and step (NaN past the history's end)
  const mixed = origins.map(() => new Float64Array(L));
  fits.forEach((fit, c) => {
    if (!weights[c]!.subarray(0, L).some((w) => w > 0)) return;
    const { errors } = backtestFitted(fit, actual, origins, L);
    errors.forEach((row, o) => {
      for (let h = 0; h < L; h++) {
        if (weights[c]![h]! > 0) mixed[o]![h]! += weights[c]![h]! * row[h]!;
      }
    });
  });
  const last = mixed.at(-1)![0]!;
  if (!(last === last)) return out;
  const slope = (h: number, lo: number, hi: number) => {
    let sxy = 0, sxx = 0, pairs = 0;
    for (let o = mixed.length - 1; o >= 1 && pairs < K; o--) {
      const x = mixed[o - 1]![0]!, v = mixed[o]![h]!;
      if (x === x && v === v) sxy += x * v, sxx += x * x, pairs++;
    }
    return pairs >= 8 && sxx > 0 ? Math.min(hi, Math.max(lo, sxy / sxx)) : 0;
  };
  if (options.form === "ar1") {
    const phi = slope(0, 0, 0.99);
    for (let h = 0, p = phi; h < H; h++, p *= phi) out[h] = p * last;
  } else {
    for (let h = 0; h < L; h++) out[h] = slope(h, 0, 1) * last;
  }
  return out;
}
