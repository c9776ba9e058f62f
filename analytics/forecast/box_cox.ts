/**
 * The Box-Cox power transform (log at λ = 0), its inverse, the bias-adjusted inverse and
 * Guerrero's choice of λ: a variance-stabilising wrap for strictly positive series.
 *
 * @module
 */

// Box & Cox (1964), "An analysis of transformations", JRSS B 26(2): w = (y^λ − 1) / λ, log y at 0.
/**
 * Box-Cox transform of positive values; `NaN` stays `NaN`.
 *
 * @param values Values, each finite one > 0.
 * @param lambda λ in [0, 1].
 * @returns The transformed values.
 * @throws {RangeError} If a finite value is ≤ 0 (the transform is undefined there).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boxCox } from "./box_cox.ts";
 * assert.deepEqual([...boxCox(new Float64Array([1, Math.E]), 0)], [0, 1]);
 * ```
 */
export function boxCox(values: Float64Array, lambda: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v <= 0) throw new RangeError(`Box-Cox needs positive values: ${v} at ${i}`);
    out[i] = lambda === 0 ? Math.log(v) : (v ** lambda - 1) / lambda;
  }
  return out;
}

/**
 * Inverse of {@linkcode boxCox}, increasing in `w`: a point forecast on the transformed scale maps
 * to the median on the original one, and interval bounds map to bounds. Below the transform's
 * range (λw + 1 ≤ 0, only for λ > 0) it gives 0.
 *
 * @param w A transformed value.
 * @param lambda λ in [0, 1].
 * @returns The value on the original scale.
 */
export function invBoxCox(w: number, lambda: number): number {
  if (lambda === 0) return Math.exp(w);
  const base = lambda * w + 1;
  return base > 0 ? base ** (1 / lambda) : 0;
}

// The mean of the back-transformed forecast by a second-order Taylor expansion of invBoxCox
// around w with the forecast variance σ² (Hyndman & Athanasopoulos, "Forecasting: principles and
// practice", 3rd ed., §5.6); at λ = 0 the exact lognormal mean exp(w + σ²/2).
/**
 * Bias-adjusted inverse: the mean, rather than the median, of the original-scale value when the
 * transformed one has median `w` and variance `variance`.
 *
 * @param w A transformed point forecast.
 * @param lambda λ in [0, 1].
 * @param variance Forecast-error variance on the transformed scale (≥ 0).
 * @returns The mean on the original scale.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invBoxCoxMean } from "./box_cox.ts";
 * assert.ok(Math.abs(invBoxCoxMean(0, 0, 0.5) - Math.exp(0.25)) < 1e-12);
 * ```
 */
export function invBoxCoxMean(w: number, lambda: number, variance: number): number {
  const s2 = variance > 0 ? variance : 0;
  if (lambda === 0) return Math.exp(w + s2 / 2);
  const base = lambda * w + 1;
  if (!(base > 0)) return 0;
  return base ** (1 / lambda) * (1 + (s2 * (1 - lambda)) / (2 * base * base));
}

/** Options of {@linkcode guerreroLambda}. */
export interface GuerreroOptions {
  /** Smallest λ (default 0). */
  lower?: number;
  /** Largest λ (default 1). */
  upper?: number;
}

// Guerrero (1993), "Time-series analysis supported by power transformations", J. Forecasting
// 12(1): the λ that makes sd_i / mean_i^(1−λ) most nearly constant over the subseries i (the
// smallest coefficient of variation), here over the last ⌊n / period⌋ whole periods, on a grid
// of steps of 0.01.
/**
 * Chooses a Box-Cox λ by Guerrero's method: subseries of `period` points, each with its mean and
 * standard deviation (over its finite values, at least 2), and the λ in [lower, upper] whose
 * ratios sd / mean^(1−λ) vary least. Fewer than 2 usable subseries, or a non-positive value,
 * give `upper` (no transform to speak of).
 *
 * @param values The history (`NaN` for missing), each finite value > 0.
 * @param period Subseries length (integer ≥ 2).
 * @param options Bounds of λ.
 * @returns λ.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guerreroLambda } from "./box_cox.ts";
 * const y = Float64Array.from({ length: 240 }, (_, i) =>
 *   Math.exp(i / 60) * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 24)));
 * assert.ok(guerreroLambda(y, 24) < 0.1);
 * ```
 */
export function guerreroLambda(
  values: Float64Array,
  period: number,
  options: GuerreroOptions = {},
): number {
  const lower = options.lower ?? 0, upper = options.upper ?? 1;
  const p = Math.max(2, Math.floor(period)), k = Math.floor(values.length / p);
  const means: number[] = [], sds: number[] = [];
  for (let j = 0, start = values.length - k * p; j < k; j++, start += p) {
    let n = 0, mean = 0, m2 = 0;
    for (let i = start; i < start + p; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (v <= 0) return upper;
      const d = v - mean;
      n++, mean += d / n, m2 += d * (v - mean);
    }
    if (n >= 2) means.push(mean), sds.push(Math.sqrt(m2 / (n - 1)));
  }
  if (means.length < 2) return upper;
  let best = upper, bestCv = Infinity;
  const steps = Math.max(1, Math.round((upper - lower) / 0.01));
  for (let s = 0; s <= steps; s++) {
    const lambda = lower + ((upper - lower) * s) / steps;
    let n = 0, mean = 0, m2 = 0;
    for (let j = 0; j < means.length; j++) {
      const r = sds[j]! / means[j]! ** (1 - lambda), d = r - mean;
      n++, mean += d / n, m2 += d * (r - mean);
    }
    const cv = mean > 0 ? Math.sqrt(m2 / (n - 1)) / mean : Infinity;
    if (cv < bestCv) bestCv = cv, best = lambda;
  }
  return best;
}
