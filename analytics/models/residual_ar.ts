/**
 * A short-horizon correction from the autocorrelation of a model's one-step errors.
 *
 * @module
 */

import type { FittedModel, ModelForecast } from "./model_forecast.ts";

/** Options of {@linkcode residualAr}. */
export interface ResidualArOptions {
  /** Leading residuals left out of the fit, e.g. one cycle spent settling the filter (default 0). */
  skip?: number;
  /** Fit φ to the last `window` residuals before the origin only (default all). */
  window?: number;
  /** Fewest residual pairs needed to fit φ; fewer give no correction (default 24). */
  minPairs?: number;
}

// Chatfield (1978), "The Holt-Winters forecasting procedure", and Taylor (2003), "Short-term
// electricity demand forecasting using double seasonal exponential smoothing": the one-step
// errors of a seasonal smoother stay autocorrelated, and an AR(1) on them forecasts the next
// errors as φ^k·e_T. Here φ is fitted after the fact by least squares on the residuals up to
// the origin (prefix sums make that O(1) per origin), so a backtest origin never sees later errors.
/**
 * Prepares the correction φ^k·e_{end−1}, k = 1…h, for any origin `end`, with φ the least-squares
 * AR(1) coefficient (no mean) of `residuals[skip, end)` (or of its last `window` values), clamped to
 * [−0.99, 0.99]. Non-finite residuals count as 0.
 *
 * @param residuals One-step errors of the model; entry t may depend on values up to t only.
 * @param options Leading residuals to skip, fitting window, least pairs.
 * @returns The correction at origin `end` for `h` steps (zeros when too few residuals).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { residualAr } from "./residual_ar.ts";
 * const e = Float64Array.from({ length: 100 }, (_, t) => 0.5 ** (t % 10));
 * const c = residualAr(e, { minPairs: 2 })(100, 2);
 * assert.ok(c[0]! > 0 && c[1]! < c[0]!);
 * ```
 */
export function residualAr(
  residuals: Float64Array,
  options: ResidualArOptions = {},
): (end: number, h: number) => Float64Array {
  const n = residuals.length, skip = Math.max(0, options.skip ?? 0);
  const e = residuals.map((v) => (Number.isFinite(v) ? v : 0));
  // sxy[t] = Σ_{skip<i<t} e_i·e_{i−1}, sxx[t] = Σ_{skip<i<t} e_{i−1}²
  const sxy = new Float64Array(n + 1), sxx = new Float64Array(n + 1);
  for (let t = 1; t <= n; t++) {
    const i = t - 1, on = i > skip;
    sxy[t] = sxy[t - 1]! + (on ? e[i]! * e[i - 1]! : 0);
    sxx[t] = sxx[t - 1]! + (on ? e[i - 1]! ** 2 : 0);
  }
  const window = options.window ?? Infinity, minPairs = options.minPairs ?? 24;
  return (end, h) => {
    const out = new Float64Array(h), last = Math.min(end, n);
    const from = Math.max(skip + 1, Number.isFinite(window) ? last - window : 0);
    if (last - from < minPairs) return out;
    const den = sxx[last]! - sxx[from]!;
    if (!(den > 0)) return out;
    const phi = Math.max(-0.99, Math.min(0.99, (sxy[last]! - sxy[from]!) / den));
    let c = e[last - 1]!;
    for (let k = 0; k < h; k++) out[k] = c *= phi;
    return out;
  };
}

/**
 * `fitted` with {@linkcode residualAr}'s correction added to its point forecasts at every
 * origin (the standard deviations are kept: `forecast()` calibrates its intervals on the
 * backtest errors anyway).
 *
 * @param fitted A fitted model.
 * @param residuals Its one-step errors over the history it was fitted to.
 * @param options See {@linkcode residualAr}.
 * @returns The corrected model (params gain `errorAr: 1`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withResidualAr } from "./residual_ar.ts";
 * const flat = { params: {}, at: (_end: number, h: number) => ({ mean: new Float64Array(h), sd: new Float64Array(h), params: {} }) };
 * const e = Float64Array.from({ length: 50 }, () => 1);
 * assert.ok(withResidualAr(flat, e).at(50, 1).mean[0]! > 0.9);
 * ```
 */
export function withResidualAr(
  fitted: FittedModel,
  residuals: Float64Array,
  options: ResidualArOptions = {},
): FittedModel {
  const correction = residualAr(residuals, options);
  const params = { ...fitted.params, errorAr: 1 };
  return {
    params,
    at(end, h): ModelForecast {
      const f = fitted.at(end, h), c = correction(end, h);
      return { mean: f.mean.map((v, k) => v + c[k]!), sd: f.sd, params };
    },
  };
}
