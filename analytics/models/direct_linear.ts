/**
 * A direct multi-horizon linear model (NLinear), as a forecasting candidate.
 *
 * @module
 */

import type { FittedModel, ModelContext, ModelForecast } from "./model_forecast.ts";
import { backward, cholesky, forward } from "./cholesky.ts";
import { lagSums } from "./lag_sums.ts";

/** Options of {@linkcode directLinear}. */
export interface DirectLinearOptions {
  /**
   * Input window L in points (default one cycle of the shortest period, at most 96; 24 without a
   * period): the fit's cost grows as L³.
   */
  window?: number;
  /**
   * Ridge strength ρ: the penalty on the lag coefficients is ρ × their mean squared input (the
   * mean diagonal of XᵀX), the intercept is not penalised (default 0.1).
   */
  ridge?: number;
  /**
   * Fit an intercept per step (default `false`): the history's mean h-step change, which carries
   * its trend on over the whole horizon (it lost at H = 168 on ETTh2's training split, README:
   * Forecasting); without it the forecast moves only with the lags.
   */
  intercept?: boolean;
  /**
   * Grid of the training cut-offs in points (default 24): a forecast from origin `end` at step h is fitted on the windows whose target ends at or before
   * the last grid point ≤ end − 1 − h, so all origins share one factorisation per grid point.
   */
  stride?: number;
  /**
   * Points of history fitted, the most recent (default 2,016: 12 weeks of hourly points); memory
   * grows as `history` × (L + steps), at most `history`² × 8 bytes.
   */
  history?: number;
}

// Zeng, Chen, Zhang & Xu (2023), "Are Transformers Effective for Time Series Forecasting?",
// AAAI: NLinear, one linear map per step from the last L values to y[t+h], both taken relative to
// the last value y[t]; here fitted locally by ridge least squares on every window of the history.
/**
 * Fits, for each step h, y[t+h] − y[t] on y[t−j] − y[t] (j = 1…L−1) and optionally an intercept by ridge
 * least squares over all windows of the last `history` points (NLinear, fitted locally). The normal equations
 * are built from prefix sums of lagged products, so a fit on any prefix costs O(L²) to assemble
 * and O(L³) to factor: `at(end, h)` uses only windows whose targets end before `end` (snapped to
 * a grid of `stride` points), so a backtest origin never sees its own future and is not scored
 * in-sample. The standard deviation at step h is the in-sample residual RMS of the fit on the
 * whole history at that step (the ridge's shrinkage term left out: slightly wide), the same at
 * every origin, as the other candidates' σ². With no complete window before `end`, the forecast
 * is the last value.
 *
 * @param values Gap-free history (at least one point).
 * @param _horizon Unused (every step is fitted on demand).
 * @param context Seasonal periods (the shortest sets the default window).
 * @param options Window, ridge strength, cut-off grid, intercept, history fitted.
 * @returns The fitted model.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directLinear } from "./direct_linear.ts";
 * const y = Float64Array.from({ length: 480 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
 * const f = directLinear(y, 24, { periods: [24] }, { ridge: 1e-6 }).at(480, 24);
 * assert.ok(Math.abs(f.mean[6]! - 1) < 1e-3);
 * ```
 */
export function directLinear(
  values: Float64Array,
  _horizon: number,
  context: ModelContext,
  options: DirectLinearOptions = {},
): FittedModel {
  const n = values.length, per = context.periods[0] ?? 0;
  const L = Math.max(2, Math.round(options.window ?? Math.min(96, per || 24)));
  const rho = Math.max(0, options.ridge ?? 0.1), intercept = options.intercept ?? false;
  const G = Math.max(1, Math.round(options.stride ?? 24));
  // intercept (or its placeholder) + L − 1 lags; the first window ends at t = L − 1
  const k = L, first = L - 1;
  // the fit reads y = the last `history` points; indices of windows and cut-offs are into y
  const offset = Math.max(0, n - Math.max(L + 1, Math.round(options.history ?? 2016)));
  const m = n - offset, { sum, dot } = lagSums(values.subarray(offset));
  const params = { window: L, ridge: rho, stride: G, intercept: +intercept };
  const fits = new Map<number, { chol: Float64Array; lambda: number; count: number } | null>();

  /** Normal equations over windows t ∈ [first, T], factored (null if none or singular). */
  function fitAt(T: number) {
    if (fits.has(T)) return fits.get(T)!;
    let out = null;
    if (T >= first) {
      const a = new Float64Array(k * k), count = T - first + 1;
      const s00 = dot(first, T, 0, 0), s0 = sum(first, T, 0);
      a[0] = intercept ? count : 1;
      for (let i = 1; i < k; i++) {
        // without an intercept its row and column are the identity's: z[0] = x[0] = 0
        a[i] = a[i * k] = intercept ? sum(first, T, -i) - s0 : 0;
        const si0 = dot(first, T, -i, 0);
        for (let j = i; j < k; j++) {
          a[i * k + j] = a[j * k + i] = dot(first, T, -i, -j) - si0 - dot(first, T, 0, -j) + s00;
        }
      }
      let trace = 0;
      for (let i = 1; i < k; i++) trace += a[i * k + i]!;
      const lambda = rho * (trace / (k - 1) || 1);
      for (let i = 1; i < k; i++) a[i * k + i]! += lambda;
      a[0]! += 1e-9 * count;
      if (cholesky(a, k)) out = { chol: a, lambda, count };
    }
    fits.set(T, out);
    return out;
  }

  /** In-sample residual RMS per step of the whole-history fits (as other candidates' σ²). */
  const sdWhole: number[] = [];
  function sdAt(h: number): number {
    if (sdWhole[h] !== undefined) return sdWhole[h]!;
    const T = G * Math.floor((m - 1 - h) / G), fit = fitAt(T);
    let v = NaN;
    if (fit) {
      // RSS = vᵀv − bᵀA⁻¹b (− λ|β|², left out: slightly wide)
      const b = new Float64Array(k), s00 = dot(first, T, 0, 0), s0h = dot(first, T, 0, h);
      b[0] = intercept ? sum(first, T, h) - sum(first, T, 0) : 0;
      for (let j = 1; j < k; j++) b[j] = dot(first, T, -j, h) - dot(first, T, -j, 0) - s0h + s00;
      const vv = dot(first, T, h, h) - 2 * s0h + s00;
      forward(fit.chol, b, k);
      let explained = 0;
      for (let j = 0; j < k; j++) explained += b[j]! * b[j]!;
      v = Math.sqrt(Math.max(0, vv - explained) / Math.max(1, fit.count - k));
    }
    return (sdWhole[h] = v);
  }

  function at(end: number, steps: number): ModelForecast {
    const mean = new Float64Array(steps), sd = new Float64Array(steps).fill(NaN);
    if (!end) return { mean: mean.fill(NaN), sd, params };
    const last = values[end - 1]!;
    mean.fill(last);
    if (end < L) return { mean, sd, params };
    const z = new Float64Array(k);
    let group = NaN, zs = 0, shared = 0;
    for (let h = 1; h <= steps; h++) {
      sd[h - 1] = sdAt(h);
      const T = G * Math.floor((end - offset - 1 - h) / G);
      const fit = fitAt(T);
      if (!fit) continue;
      if (T !== group) {
        // z = A⁻¹x for the origin's inputs, shared by the steps fitted at this cut-off; then
        // forecast = zᵀb_h with b_h[j] = Σ (y[t−j] − y[t])(y[t+h] − y[t]), its h-free part here
        group = T, z[0] = +intercept, zs = 0, shared = 0;
        for (let j = 1; j < k; j++) z[j] = values[end - 1 - j]! - last;
        forward(fit.chol, z, k), backward(fit.chol, z, k);
        for (let j = 1; j < k; j++) zs += z[j]!, shared -= z[j]! * dot(first, T, -j, 0);
        shared += zs * dot(first, T, 0, 0) - z[0]! * sum(first, T, 0);
      }
      let f = shared + z[0]! * sum(first, T, h) - zs * dot(first, T, 0, h);
      for (let j = 1; j < k; j++) f += z[j]! * dot(first, T, -j, h);
      mean[h - 1] = last + f;
    }
    return { mean, sd, params };
  }
  return { params, at };
}
