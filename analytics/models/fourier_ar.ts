/**
 * Harmonic (Fourier-term) regression on every seasonal period with AR errors, as a forecasting
 * candidate.
 *
 * @module
 */

import type { FittedModel, ModelContext, ModelForecast } from "./model_forecast.ts";

/** Options of {@linkcode fourierAr}. */
export interface FourierArOptions {
  /** Harmonics per period, at most ⌊period / 2⌋ (default 4). */
  harmonics?: number;
  /** Autoregressive order of the regression errors (default 2). */
  order?: number;
  /**
   * Points fitted before each origin (default 1,344, 8 weeks of hourly data, or 56 cycles of the
   * shortest period or 8 of the longest if more).
   */
  window?: number;
  /**
   * Model the first differences of the regression errors (ARIMA(p,1,0) errors: the forecast keeps
   * the last deviation from the profile) instead of the errors (AR(p): it decays to the profile)
   * (default `false`).
   */
  difference?: boolean;
}

/** Solves the k × k normal equations `a x = b` (row-major) by Cholesky with a small ridge. */
function solveNormal(a: Float64Array, b: Float64Array, k: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += a[i * k + i]!;
  for (let i = 0; i < k; i++) a[i * k + i]! += 1e-8 * (trace / k || 1);
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j]!;
      for (let q = 0; q < j; q++) s -= l[i * k + q]! * l[j * k + q]!;
      l[i * k + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * k + j]!;
    }
  }
  const z = new Float64Array(k), x = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let q = 0; q < i; q++) s -= l[i * k + q]! * z[q]!;
    z[i] = s / l[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let q = i + 1; q < k; q++) s -= l[q * k + i]! * x[q]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}

/** Distinct angular frequencies of the harmonics of every period (shared ones once). */
function frequencies(periods: number[], harmonics: number): number[] {
  const seen = new Set<string>(), out: number[] = [];
  for (const p of periods) {
    for (let k = 1; k <= Math.min(harmonics, Math.floor(p / 2)); k++) {
      const w = (2 * Math.PI * k) / p, key = w.toFixed(9);
      if (!seen.has(key)) seen.add(key), out.push(w);
    }
  }
  return out;
}

// Dynamic harmonic regression (Young, Pedregal & Tych 1999; Hyndman & Athanasopoulos, FPP3
// §10.5): a mean plus sine/cosine pairs of each seasonal period, fitted by least squares over a
// recent window, with the regression errors modelled by an AR(p) whose forecast decays to the
// fitted seasonal profile. Both the daily and the weekly shape enter with few parameters.
/**
 * Refits at each origin: `at(end, h)` regresses `values[end − window, end)` on a mean and
 * `harmonics` sine/cosine pairs of every period, fits an AR(`order`) to the residuals by least
 * squares (shrunk towards 0 until stationary) and forecasts the profile plus the decaying AR
 * part, with standard deviations from the AR's ψ-weights. Without periods it is an AR on the
 * window's mean; fewer than `3 · order + 3` points give the window's mean.
 *
 * @param values Gap-free history (at least one point).
 * @param _horizon Unused (the fit is one-step).
 * @param context Seasonal periods.
 * @param options Harmonics, AR order, window.
 * @returns The fitted model.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fourierAr } from "./fourier_ar.ts";
 * const y = Float64Array.from({ length: 240 }, (_, i) => 3 + Math.sin((2 * Math.PI * i) / 24));
 * const f = fourierAr(y, 6, { periods: [24] }).at(240, 6);
 * assert.ok(Math.abs(f.mean[5]! - (3 + Math.sin((2 * Math.PI * 245) / 24))) < 1e-6);
 * ```
 */
export function fourierAr(
  values: Float64Array,
  _horizon: number,
  context: ModelContext,
  options: FourierArOptions = {},
): FittedModel {
  const p = Math.max(1, Math.round(options.order ?? 2));
  const shortest = context.periods[0] ?? 0, longest = context.periods.at(-1) ?? 0;
  const window = Math.max(
    3 * p + 3,
    Math.round(options.window ?? Math.max(1344, 56 * shortest, 8 * longest)),
  );
  // a period enters only when the window holds two of its cycles
  const usable = context.periods.filter((q) => q >= 2 && 2 * q <= Math.min(window, values.length));
  const freq = frequencies(usable, Math.max(1, Math.round(options.harmonics ?? 4)));
  const k = 1 + 2 * freq.length;
  const diff = options.difference ?? false;
  const params = { periods: usable, harmonics: freq.length, order: p, window, difference: +diff };
  // the regressors of every point of the history, computed once: the backtest's origins share them
  const rows = new Float64Array(values.length * k), row = new Float64Array(k);
  const fill = (t: number, out: Float64Array, at: number) => {
    out[at] = 1;
    for (let f = 0; f < freq.length; f++) {
      out[at + 1 + 2 * f] = Math.cos(freq[f]! * t), out[at + 2 + 2 * f] = Math.sin(freq[f]! * t);
    }
  };
  for (let t = 0; t < values.length; t++) fill(t, rows, t * k);
  const design = (t: number) => {
    if (t < values.length) return rows.subarray(t * k, t * k + k);
    fill(t, row, 0);
    return row;
  };
  function at(end: number, horizon: number): ModelForecast {
    const mean = new Float64Array(horizon), sd = new Float64Array(horizon);
    if (!end) return { mean: mean.fill(NaN), sd, params };
    const from = Math.max(0, end - window), len = end - from;
    const kk = len > k + 2 ? k : 1;
    const a = new Float64Array(kk * kk), b = new Float64Array(kk);
    for (let t = from; t < end; t++) {
      const x = design(t), v = values[t]!;
      for (let i = 0; i < kk; i++) {
        b[i]! += x[i]! * v;
        for (let j = 0; j <= i; j++) a[i * kk + j]! += x[i]! * x[j]!;
      }
    }
    for (let i = 0; i < kk; i++) for (let j = i + 1; j < kk; j++) a[i * kk + j] = a[j * kk + i]!;
    const beta = solveNormal(a, b, kk);
    const fit = (t: number) => {
      const x = design(t);
      let s = 0;
      for (let i = 0; i < kk; i++) s += beta[i]! * x[i]!;
      return s;
    };
    const r0 = new Float64Array(len);
    for (let t = from; t < end; t++) r0[t - from] = values[t]! - fit(t);
    const r = diff ? r0.map((e, i) => (i ? e - r0[i - 1]! : 0)) : r0;
    let phi: Float64Array = new Float64Array(p), sigma2 = 0;
    if (len >= 3 * p + 3) {
      const aa = new Float64Array(p * p), bb = new Float64Array(p);
      for (let t = p; t < len; t++) {
        for (let i = 0; i < p; i++) {
          bb[i]! += r[t]! * r[t - 1 - i]!;
          for (let j = 0; j < p; j++) aa[i * p + j]! += r[t - 1 - i]! * r[t - 1 - j]!;
        }
      }
      phi = solveNormal(aa, bb, p);
      for (let s = 0; s < 20 && !decays(phi); s++) phi = phi.map((v) => v * 0.9);
      if (!decays(phi)) phi.fill(0);
      for (let t = p; t < len; t++) {
        let f = 0;
        for (let i = 0; i < p; i++) f += phi[i]! * r[t - 1 - i]!;
        sigma2 += (r[t]! - f) ** 2;
      }
      sigma2 /= Math.max(1, len - p - k - p);
    } else {
      for (const e of r) sigma2 += e * e / Math.max(1, len);
    }
    const lags = new Float64Array(p + horizon), psi = new Float64Array(horizon);
    for (let i = 0; i < p; i++) lags[i] = len - p + i >= 0 ? r[len - p + i]! : 0;
    let v = 0, last = r0[len - 1]!, psiSum = 0;
    for (let h = 0; h < horizon; h++) {
      let f = 0;
      for (let i = 0; i < p; i++) f += phi[i]! * lags[p + h - 1 - i]!;
      lags[p + h] = f;
      if (diff) last += f;
      mean[h] = fit(end + h) + (diff ? last : f);
      let q = h === 0 ? 1 : 0;
      for (let i = 0; i < Math.min(p, h); i++) q += phi[i]! * psi[h - 1 - i]!;
      psi[h] = q, psiSum += q;
      v += diff ? psiSum * psiSum : q * q;
      sd[h] = Math.sqrt(sigma2 * v);
    }
    return { mean, sd, params };
  }
  return { params, at };
}

/** Whether the AR's impulse response dies out (a stationary polynomial). */
function decays(phi: Float64Array): boolean {
  const p = phi.length, psi = new Float64Array(2000 + p);
  psi[p - 1] = 1;
  let peak = 1, tail = 0;
  for (let h = p; h < psi.length; h++) {
    let q = 0;
    for (let i = 0; i < p; i++) q += phi[i]! * psi[h - 1 - i]!;
    psi[h] = q;
    if (!Number.isFinite(q)) return false;
    peak = Math.max(peak, Math.abs(q));
    if (h >= psi.length - p) tail = Math.max(tail, Math.abs(q));
  }
  return tail < 1e-3 * peak || tail < 1e-6;
}
