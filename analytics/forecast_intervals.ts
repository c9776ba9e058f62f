/**
 * Prediction intervals calibrated on backtest errors.
 *
 * @module
 */

/** Calibration of {@linkcode calibrateIntervals}: half-width at step h is `q · scale[h]`. */
export interface IntervalCalibration {
  /** `backtest` (empirical) or `analytic` (model variance, normal quantiles). */
  method: "backtest" | "analytic";
  /** Error scale per step. */
  scale: Float64Array;
  /** Multiplier for the 80 % interval. */
  q80: number;
  /** Multiplier for the 95 % interval. */
  q95: number;
  /** Backtest errors used. */
  samples: number;
}

const Z80 = 1.2815516, Z95 = 1.959964;

function quantile(sorted: Float64Array, p: number): number {
  const x = (sorted.length - 1) * p, i = Math.floor(x);
  return sorted[i]! +
    (x - i) * ((sorted[Math.min(i + 1, sorted.length - 1)] ?? sorted[i]!) - sorted[i]!);
}

// Empirical h-step error quantiles from rolling-origin errors (Williams & Goodman 1971;
// Hyndman & Athanasopoulos FPP3 §5.5 "bootstrapped/empirical intervals"): the mean squared
// error per step is smoothed by a least-squares line a + b·h (a, b ≥ 0, the random-walk growth
// shape), errors are standardised by it and the |z| quantiles pooled over steps.
/**
 * Calibrates intervals from backtest errors. With fewer than 30 finite errors it falls back to
 * the analytic standard deviations and normal quantiles (`NaN` analytic values count as 0).
 * The empirical scale never falls below half the analytic one.
 *
 * @param errors Backtest errors, one array of `horizon` per origin (may be empty).
 * @param analyticSd Model standard deviation per step for the final fit.
 * @returns Scale per step and the two multipliers.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { calibrateIntervals } from "./forecast_intervals.ts";
 * const c = calibrateIntervals([], new Float64Array([1, 2]));
 * assert.equal(c.method, "analytic");
 * assert.ok(Math.abs(c.q95 - 1.96) < 0.01);
 * ```
 */
export function calibrateIntervals(
  errors: Float64Array[],
  analyticSd: Float64Array,
): IntervalCalibration {
  const horizon = analyticSd.length;
  const analytic = analyticSd.map((v) => (Number.isFinite(v) ? v : 0));
  const ms = new Float64Array(horizon), cnt = new Float64Array(horizon);
  let samples = 0;
  for (const row of errors) {
    for (let h = 0; h < horizon; h++) {
      const e = row[h]!;
      if (Number.isFinite(e)) (ms[h] = ms[h]! + e * e, cnt[h] = cnt[h]! + 1, samples++);
    }
  }
  if (samples < 30) return { method: "analytic", scale: analytic, q80: Z80, q95: Z95, samples };
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let h = 0; h < horizon; h++) {
    if (!cnt[h]) continue;
    const w = cnt[h]!, x = h + 1, y = ms[h]! / cnt[h]!;
    sw += w, sx += w * x, sy += w * y, sxx += w * x * x, sxy += w * x * y;
  }
  const det = sw * sxx - sx * sx;
  let b = det > 0 ? (sw * sxy - sx * sy) / det : 0;
  let a = (sy - b * sx) / sw;
  if (b < 0) (b = 0, a = sy / sw);
  if (a < 0) (a = 0, b = sxy / sxx);
  const scale = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    scale[h] = Math.max(Math.sqrt(a + b * (h + 1)), analytic[h]! / 2);
  }
  const z = new Float64Array(samples);
  let k = 0;
  for (const row of errors) {
    for (let h = 0; h < horizon; h++) {
      const e = row[h]!;
      if (Number.isFinite(e)) z[k++] = scale[h]! > 0 ? Math.abs(e) / scale[h]! : 0;
    }
  }
  z.sort();
  return { method: "backtest", scale, q80: quantile(z, 0.8), q95: quantile(z, 0.95), samples };
}
