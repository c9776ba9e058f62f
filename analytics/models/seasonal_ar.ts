/**
 * An autoregression on the seasonally adjusted series, as a forecasting candidate.
 *
 * @module
 */

import type { FittedModel, ModelContext, ModelForecast } from "./model_forecast.ts";
import { seasonalIndices } from "./seasonal_indices.ts";

/** Options of {@linkcode seasonalAr}. */
export interface SeasonalArOptions {
  /** Autoregressive order p (default 3). */
  order?: number;
  /**
   * Model the first differences (ARIMA(p,1,0) without drift: the forecast settles at a level)
   * instead of the levels (AR(p) with a mean: the forecast returns to the mean of the last
   * `window` points) (default `true`).
   */
  difference?: boolean;
  /** Points fitted (the most recent; default 8 cycles of the period, at least 96). */
  window?: number;
}

/** Solves `A x = b` (A symmetric positive semi-definite, k × k, row-major) with a ridge of 1e-9. */
function solve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += a[i * k + i]!;
  for (let i = 0; i < k; i++) a[i * k + i]! += 1e-9 * (trace / k || 1);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]!) > Math.abs(a[p * k + c]!)) p = r;
    if (p !== c) {
      for (let j = 0; j < k; j++) {
        const t = a[c * k + j]!;
        a[c * k + j] = a[p * k + j]!, a[p * k + j] = t;
      }
      const t = b[c]!;
      b[c] = b[p]!, b[p] = t;
    }
    const d = a[c * k + c]!;
    if (d === 0) continue;
    for (let r = c + 1; r < k; r++) {
      const f = a[r * k + c]! / d;
      if (f === 0) continue;
      for (let j = c; j < k; j++) a[r * k + j]! -= f * a[c * k + j]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let j = r + 1; j < k; j++) s -= a[r * k + j]! * x[j]!;
    x[r] = a[r * k + r]! ? s / a[r * k + r]! : 0;
  }
  return x;
}

// Box & Jenkins (1970), conditional least squares for AR(p) / ARIMA(p,1,0), on the series
// adjusted by classical additive seasonal indices (as the Theta candidate is); forecast
// variance from the ψ-weights of the (integrated) AR polynomial (Brockwell & Davis 2016, §5.2).
/**
 * Fits an AR(p) to the seasonally adjusted series (or to its first differences) by least
 * squares over the last `window` points, once. `at(end, h)` re-estimates the seasonal indices
 * (shortest period, last 8 cycles) on `values[0, end)` and runs the recursion from there with the
 * fitted coefficients. The coefficients are shrunk, when needed, until the AR polynomial is
 * stationary, so forecasts never explode. Fewer than `3p + 3` points give a flat forecast at the
 * last adjusted value.
 *
 * @param values Gap-free history (at least one point).
 * @param _horizon Unused (the fit is one-step).
 * @param context Seasonal periods (the shortest is used).
 * @param options Order, differencing, window.
 * @returns The fitted model.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonalAr } from "./seasonal_ar.ts";
 * const y = Float64Array.from({ length: 200 }, (_, i) => 5 + 0.9 ** (i % 50));
 * const f = seasonalAr(y, 3, { periods: [] }, { difference: false }).at(200, 3);
 * assert.ok(f.mean[2]! < 6 && f.mean[2]! > 5 && f.sd[2]! >= f.sd[0]!);
 * ```
 */
export function seasonalAr(
  values: Float64Array,
  _horizon: number,
  context: ModelContext,
  options: SeasonalArOptions = {},
): FittedModel {
  const n = values.length, per = context.periods[0] ?? 0;
  const m = per >= 2 && n >= 2 * per ? per : 0;
  const p = Math.max(1, Math.round(options.order ?? 3)), diff = options.difference ?? true;
  const window = Math.max(3 * p + 3, Math.round(options.window ?? Math.max(96, 8 * m)));
  const adjusted = new Float64Array(n);
  const adjust = (end: number) => {
    const idx = seasonalIndices(values, end, m, 8);
    for (let t = 0; t < end; t++) adjusted[t] = values[t]! - (m ? idx[t % m]! : 0);
    return idx;
  };
  /** The modelled series over [from, end): differences or levels minus their mean. */
  const target = (from: number, end: number, mean: number) => {
    const z = new Float64Array(end - from);
    for (let t = from; t < end; t++) {
      z[t - from] = diff ? (t ? adjusted[t]! - adjusted[t - 1]! : 0) : adjusted[t]! - mean;
    }
    return z;
  };
  const windowMean = (end: number) => {
    let s = 0;
    const from = Math.max(0, end - window);
    for (let t = from; t < end; t++) s += adjusted[t]!;
    return end > from ? s / (end - from) : 0;
  };
  adjust(n);
  let phi: Float64Array = new Float64Array(p), sigma2 = 0;
  const from = Math.max(diff ? 1 : 0, n - window);
  if (n - from >= 3 * p + 3) {
    const z = target(from, n, windowMean(n));
    const a = new Float64Array(p * p), b = new Float64Array(p);
    for (let t = p; t < z.length; t++) {
      for (let i = 0; i < p; i++) {
        b[i]! += z[t]! * z[t - 1 - i]!;
        for (let j = 0; j < p; j++) a[i * p + j]! += z[t - 1 - i]! * z[t - 1 - j]!;
      }
    }
    phi = solve(a, b, p);
    // shrink towards 0 until the ψ-weights decay (a stationary AR polynomial)
    for (let s = 0; s < 20 && !stationary(phi); s++) phi = phi.map((v) => v * 0.9);
    if (!stationary(phi)) phi.fill(0);
    let sse = 0;
    for (let t = p; t < z.length; t++) {
      let f = 0;
      for (let i = 0; i < p; i++) f += phi[i]! * z[t - 1 - i]!;
      sse += (z[t]! - f) ** 2;
    }
    sigma2 = sse / Math.max(1, z.length - 2 * p);
  }
  const params = { period: m, order: p, difference: diff ? 1 : 0, phi: [...phi], sigma2 };
  function at(end: number, horizon: number): ModelForecast {
    const idx = adjust(end);
    const mean = new Float64Array(horizon), sd = new Float64Array(horizon);
    if (!end) return { mean: mean.fill(NaN), sd, params };
    const mu = diff ? 0 : windowMean(end);
    const start = Math.max(diff ? 1 : 0, end - p);
    const hist = target(start, end, mu);
    const lags = new Float64Array(p + horizon);
    lags.set(hist, p - hist.length);
    let level = adjusted[end - 1]!, psiSum = 0, psiCum = 0, v = 0;
    const psi = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      let f = 0;
      for (let i = 0; i < p; i++) f += phi[i]! * lags[p + h - 1 - i]!;
      lags[p + h] = f;
      level = diff ? level + f : mu + f;
      mean[h] = level + (m ? idx[(end + h) % m]! : 0);
      // ψ-weights of the AR (and of its integration when differenced) for the h-step variance
      let q = h === 0 ? 1 : 0;
      for (let i = 0; i < Math.min(p, h); i++) q += phi[i]! * psi[h - 1 - i]!;
      psi[h] = q, psiSum += q;
      psiCum = diff ? psiSum : q;
      v += psiCum * psiCum;
      sd[h] = Math.sqrt(sigma2 * v);
    }
    return { mean, sd, params };
  }
  return { params, at };
}

/** Whether the AR's ψ-weights (impulse response) die out within 2000 steps. */
function stationary(phi: Float64Array): boolean {
  const p = phi.length, psi = new Float64Array(p + 1);
  psi[0] = 1;
  let peak = 1;
  for (let h = 1; h <= 2000; h++) {
    let q = 0;
    for (let i = 0; i < p; i++) q += phi[i]! * psi[(h - 1 - i + (p + 1)) % (p + 1)]!;
    psi[h % (p + 1)] = q;
    if (!Number.isFinite(q)) return false;
    peak = Math.max(peak, Math.abs(q));
  }
  let tail = 0;
  for (const q of psi) tail = Math.max(tail, Math.abs(q));
  return tail < 1e-3 * peak || tail < 1e-6;
}
