/**
 * Prediction intervals calibrated on backtest errors.
 *
 * @module
 */

import { smoothedMse } from "./forecast_combine.ts";
import { selectQuantiles } from "./select_quantile.ts";

/** Calibration of {@linkcode calibrateIntervals}: half-width at step h is `q · scale[h]`. */
export interface IntervalCalibration {
  /**
   * `backtest` (empirical), `extrapolated` (empirical over the backtested steps, scale grown
   * beyond them) or `analytic` (model variance, normal quantiles).
   */
  method: "backtest" | "extrapolated" | "analytic";
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

/** Least-squares slope of log scale on log step over the second half of `steps`, in [½, 1]. */
function growth(scale: Float64Array, steps: number): number {
  let sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
  for (let h = steps >> 1; h < steps; h++) {
    if (!(scale[h]! > 0)) continue;
    const x = Math.log(h + 1), y = Math.log(scale[h]!);
    k++, sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  const slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
  return Number.isFinite(slope) ? Math.min(1, Math.max(0.5, slope)) : 0.5;
}

// Empirical h-step error quantiles from rolling-origin errors (Williams & Goodman 1971; FPP3
// §5.5): the scale per step is the root of the horizon-smoothed MSE, kept non-decreasing in h;
// |error| / scale is pooled over steps and its quantile taken at level p + (1 − p)/√N for N
// origins: errors of one origin are correlated, so the effective sample is nearer N than the
// pooled count, and a short backtest widens the interval (in the spirit of the finite-sample
// split-conformal level ⌈(N + 1)p⌉ / N, Vovk et al. 2005, which is too wide when pooled).
/**
 * Calibrates intervals from backtest errors. With fewer than 30 finite errors or 3 origins it
 * falls back to the analytic standard deviations and normal quantiles (`NaN` analytic values
 * count as 0). The empirical scale never falls below half the analytic one. When the rows are
 * shorter than `analyticSd` (a backtest at a shorter horizon than the forecast), the scale past
 * the last backtested step s grows as (h / s)^α, α the log-log slope of the scale over the
 * second half of the backtested steps clamped to [½, 1]: at least the √h of a random walk,
 * at most the linear growth of a wrong slope (method `extrapolated`).
 *
 * @param errors Backtest errors, one array of up to `horizon` steps per origin (may be empty).
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
  let samples = 0, rows = 0, steps = 0;
  for (const row of errors) steps = Math.max(steps, Math.min(horizon, row.length));
  for (const row of errors) {
    let k = 0;
    for (let h = 0; h < Math.min(steps, row.length); h++) if (Number.isFinite(row[h]!)) k++;
    samples += k, rows += +(k > 0);
  }
  if (samples < 30 || rows < 3) {
    return { method: "analytic", scale: analytic, q80: Z80, q95: Z95, samples };
  }
  const mse = smoothedMse(errors, steps), scale = new Float64Array(horizon);
  let floor = 0;
  for (let h = 0; h < steps; h++) {
    const v = Number.isFinite(mse[h]!) ? Math.sqrt(mse[h]!) : 0;
    floor = Math.max(floor, v), scale[h] = Math.max(floor, analytic[h]! / 2);
  }
  const alpha = growth(scale, steps);
  for (let h = steps; h < horizon; h++) {
    const v = scale[steps - 1]! * ((h + 1) / steps) ** alpha;
    scale[h] = Math.max(scale[h - 1]!, v, analytic[h]! / 2);
  }
  const z = new Float64Array(samples);
  let k = 0;
  for (const row of errors) {
    for (let h = 0; h < Math.min(steps, row.length); h++) {
      const e = row[h]!;
      if (Number.isFinite(e)) z[k++] = scale[h]! > 0 ? Math.abs(e) / scale[h]! : 0;
    }
  }
  const level = (p: number) => p + (1 - p) / Math.sqrt(rows);
  // the R-7 quantile (linear between order statistics), by selection in place
  const [q80, q95] = selectQuantiles(z, [level(0.8), level(0.95)]);
  return {
    method: steps < horizon ? "extrapolated" : "backtest",
    scale,
    q80: q80!,
    q95: q95!,
    samples,
  };
}
