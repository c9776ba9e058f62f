/**
 * The Theta method on the seasonally adjusted series, as a forecasting candidate.
 *
 * @module
 */

import type { FittedModel, ModelContext, ModelForecast } from "./model_forecast.ts";
import { seasonalIndices } from "./seasonal_indices.ts";

/** SES over `x[0, end)` from the first value; returns the one-step SSE and the final level. */
function ses(x: Float64Array, end: number, alpha: number): [number, number] {
  let l = x[0]!, sse = 0;
  for (let t = 1; t < end; t++) {
    const e = x[t]! - l;
    sse += e * e, l += alpha * e;
  }
  return [sse, l];
}

// Golden-section search (Kiefer 1953) for the SES smoothing parameter on [0.01, 0.99].
function fitAlpha(x: Float64Array, end: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = 0.01, b = 0.99, c = b - r * (b - a), d = a + r * (b - a);
  let fc = ses(x, end, c)[0], fd = ses(x, end, d)[0];
  for (let i = 0; i < 18; i++) {
    if (fc < fd) (b = d, d = c, fd = fc, c = b - r * (b - a), fc = ses(x, end, c)[0]);
    else (a = c, c = d, fc = fd, d = a + r * (b - a), fd = ses(x, end, d)[0]);
  }
  return (a + b) / 2;
}

/**
 * One-step SSE of SES with drift `c` × the least-squares slope of `x[0, t)` (updated at every
 * t, as the dynamic optimised Theta model does), from point `skip` on.
 */
function drifted(x: Float64Array, end: number, alpha: number, c: number, skip: number): number {
  let l = x[0]!, sse = 0, sx = 0, sy = x[0]!, sxx = 0, sxy = 0, decay = 1 - alpha;
  for (let t = 1; t < end; t++) {
    const det = t * sxx - sx * sx, b = det > 0 ? (t * sxy - sx * sy) / det : 0;
    const e = x[t]! - (l + c * b * (1 - decay) / alpha);
    if (t >= skip) sse += e * e;
    l += alpha * (x[t]! - l), decay *= 1 - alpha;
    sx += t, sy += x[t]!, sxx += t * t, sxy += t * x[t]!;
  }
  return sse;
}

// Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016), "Models for optimising the theta
// method and their relationship to state space models", IJF 32(4): θ (the weight of the drift,
// 1 − 1/θ) chosen with α by the one-step error instead of fixed at 2.
function fitThetaAlpha(x: Float64Array, end: number, skip: number): [number, number] {
  let best: [number, number] = [2, 0.5], bestSse = Infinity;
  for (const th of [1, 1.5, 2, 2.5, 3, 4, 5]) {
    const c = 1 - 1 / th, r = (Math.sqrt(5) - 1) / 2;
    let a = 0.01, b = 0.99, p = b - r * (b - a), q = a + r * (b - a);
    let fp = drifted(x, end, p, c, skip), fq = drifted(x, end, q, c, skip);
    for (let i = 0; i < 18; i++) {
      if (fp < fq) (b = q, q = p, fq = fp, p = b - r * (b - a), fp = drifted(x, end, p, c, skip));
      else (a = p, p = q, fp = fq, q = a + r * (b - a), fq = drifted(x, end, q, c, skip));
    }
    const alpha = (a + b) / 2, sse = drifted(x, end, alpha, c, skip);
    if (sse < bestSse) bestSse = sse, best = [th, alpha];
  }
  return best;
}

/** Options of {@linkcode theta}. */
export interface ThetaOptions {
  /**
   * Choose θ in {1, 1.5, 2, 2.5, 3, 4, 5} with α by the one-step error of the dynamic optimised
   * Theta model (default false: θ = 2, the standard method).
   */
  optimise?: boolean;
}

// Assimakopoulos & Nikolopoulos (2000), "The theta model: a decomposition approach to
// forecasting", IJF 16(4); as SES with drift half the OLS slope (Hyndman & Billah 2003, IJF
// 19(2)), on the series adjusted by classical additive seasonal indices (as in the M3 setup).
/**
 * Fits the Theta method: seasonal indices of the shortest period over the last 8 cycles, SES
 * with its α fitted once to the whole adjusted history (golden section on the one-step SSE),
 * and a drift of half the least-squares slope. `at(end, h)` re-estimates the indices, the
 * level and the slope on `values[0, end)` with that α. A single point gives a flat forecast;
 * σ² is the one-step SSE / (n − 2) (0 below 3 points).
 *
 * @param values Gap-free history (at least one point).
 * @param _horizon Unused (the fit is one-step).
 * @param context Seasonal periods (the shortest is used).
 * @param options θ fixed at 2 or optimised.
 * @returns The fitted model.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { theta } from "./theta.ts";
 * const y = Float64Array.from({ length: 100 }, (_, i) => 0.5 * i);
 * const f = theta(y, 4, { periods: [] }).at(100, 4);
 * assert.ok(f.mean[3]! > f.mean[0]! && f.mean[0]! > 49);
 * ```
 */
export function theta(
  values: Float64Array,
  _horizon: number,
  context: ModelContext,
  options: ThetaOptions = {},
): FittedModel {
  const n = values.length, p = context.periods[0] ?? 0;
  const m = p >= 2 && n >= 2 * p ? p : 0;
  const adjusted = new Float64Array(n);
  const adjust = (end: number) => {
    const idx = seasonalIndices(values, end, m, 8);
    for (let t = 0; t < end; t++) adjusted[t] = values[t]! - (m ? idx[t % m]! : 0);
    return idx;
  };
  adjust(n);
  let th = 2, alpha = 0.5;
  if (n > 2 && options.optimise) [th, alpha] = fitThetaAlpha(adjusted, n, Math.max(3, m));
  else if (n > 2) alpha = fitAlpha(adjusted, n);
  const params = options.optimise ? { period: m, alpha, theta: th } : { period: m, alpha };
  const c = 1 - 1 / th;
  function at(end: number, horizon: number): ModelForecast {
    const idx = adjust(end);
    const [sse, level] = end ? ses(adjusted, end, alpha) : [0, NaN];
    let sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let t = 0; t < end; t++) {
      const v = adjusted[t]!;
      sx += t, sy += v, sxx += t * t, sxy += t * v;
    }
    const det = end * sxx - sx * sx;
    const b0 = det > 0 ? (end * sxy - sx * sy) / det : 0;
    const sigma2 = end > 2 ? sse / (end - 2) : 0;
    const tail = 1 / alpha - (1 - alpha) ** end / alpha;
    const mean = new Float64Array(horizon), sd = new Float64Array(horizon);
    for (let h = 1; h <= horizon; h++) {
      mean[h - 1] = level + c * b0 * (h - 1 + tail) + (m ? idx[(end + h - 1) % m]! : 0);
      sd[h - 1] = Math.sqrt(sigma2 * (1 + (h - 1) * alpha * alpha));
    }
    return { mean, sd, params };
  }
  return { params, at };
}
