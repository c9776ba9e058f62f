/**
 * Decomposition of a metric into trend, one or more seasonal cycles and remainder (MSTL), with
 * automatic period detection.
 *
 * @module
 */

import { detectPeriods, type DetectPeriodsOptions } from "../models/detect_periods.ts";
import { interpolateGaps } from "../models/interpolate_gaps.ts";
import { loess } from "../models/loess.ts";
import { stl } from "../models/stl.ts";

/** Options of {@linkcode decompose}. */
export interface DecomposeOptions {
  /** Seasonal periods in points, or `"auto"` to detect them (default `"auto"`). */
  periods?: number[] | "auto";
  /** Robust STL fits (bisquare weights) that ignore outliers (default `true`). */
  robust?: boolean;
  /** MSTL passes over the seasonal components (default 2). */
  iterations?: number;
  /** Period detection settings when `periods` is `"auto"`. */
  detect?: DetectPeriodsOptions;
}

/** One seasonal component of a {@linkcode Decomposition}. */
export interface SeasonalComponent {
  /** Cycle length in points. */
  period: number;
  /** Seasonal strength max(0, 1 − Var(R) / Var(S + R)), in [0, 1]. */
  strength: number;
  /** The component, one value per point. */
  values: Float64Array;
}

/** Result of {@linkcode decompose}: `values = trend + Σ seasonal + remainder`. */
export interface Decomposition {
  /** Smooth trend (defined at every point, gaps included). */
  trend: Float64Array;
  /** Trend strength max(0, 1 − Var(R) / Var(T + R)), in [0, 1] (`NaN` when undefined). */
  trendStrength: number;
  /** Seasonal components, shortest period first (defined at every point). */
  seasonal: SeasonalComponent[];
  /** Remainder; `NaN` where the input was missing. */
  remainder: Float64Array;
  /** Gap-free series the model was fitted to (input with gaps interpolated). */
  filled: Float64Array;
}

function strength(part: Float64Array, remainder: Float64Array): number {
  let mr = 0, ms = 0, k = 0;
  for (let i = 0; i < part.length; i++) {
    const r = remainder[i]!;
    if (!Number.isFinite(r)) continue;
    k++, mr += (r - mr) / k, ms += (r + part[i]! - ms) / k;
  }
  let vr = 0, vs = 0;
  for (let i = 0; i < part.length; i++) {
    const r = remainder[i]!;
    if (Number.isFinite(r)) (vr += (r - mr) ** 2, vs += (r + part[i]! - ms) ** 2);
  }
  if (k < 2 || !(vs > 0)) return vr > 0 ? 0 : NaN;
  return Math.max(0, 1 - vr / vs);
}

// Bandara, Hyndman & Bergmeir (2021), "MSTL: A seasonal-trend decomposition algorithm for time
// series with multiple seasonal patterns", arXiv:2107.13462; STL per period after Cleveland et
// al. (1990); strengths after Wang, Smith & Hyndman (2006).
/**
 * Decomposes a series into trend, seasonal cycles and remainder. Gaps (`NaN`) are interpolated
 * for fitting and stay `NaN` in the remainder. Periods that do not fit twice into the series
 * are dropped; with none left the trend is a loess smooth over a tenth of the series. Empty
 * input gives empty arrays; all-`NaN` input gives zero trend and an all-`NaN` remainder; a
 * constant series gives that constant as trend and zero seasonal components.
 *
 * @param values The series (`NaN` for missing).
 * @param options Periods (or `"auto"`), robustness, iterations.
 * @returns Trend, seasonal components with strengths, remainder.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decompose } from "./decompose.ts";
 * const y = Float64Array.from({ length: 24 * 14 }, (_, i) => 5 + Math.sin((2 * Math.PI * i) / 24));
 * const d = decompose(y);
 * assert.equal(d.seasonal[0]?.period, 24);
 * assert.ok(Math.abs(d.trend[100]! - 5) < 0.05);
 * ```
 */
export function decompose(values: Float64Array, options: DecomposeOptions = {}): Decomposition {
  const n = values.length;
  const filled = interpolateGaps(values);
  const requested = options.periods ?? "auto";
  const periods =
    (requested === "auto"
      ? detectPeriods(values, options.detect).map((p) => p.period)
      : requested.map(Math.round))
      .filter((p) => p >= 2 && 2 * p <= n)
      .sort((a, b) => a - b)
      .filter((p, i, a) => a.indexOf(p) === i);
  const outer = options.robust ?? true ? 2 : 0;
  const seasonals = periods.map(() => new Float64Array(n));
  const deseason = Float64Array.from(filled);
  let trend: Float64Array;
  if (periods.length === 0) {
    const q = Math.max(3, Math.round(n / 10)) | 1;
    trend = n ? loess(filled, q, { jump: Math.ceil(q / 10) }) : new Float64Array(0);
  } else {
    trend = new Float64Array(n);
    let weights: Float64Array | undefined;
    const iterations = Math.max(1, options.iterations ?? 2);
    for (let it = 0; it < iterations; it++) {
      for (let i = 0; i < periods.length; i++) {
        const s = seasonals[i]!;
        for (let t = 0; t < n; t++) deseason[t] = deseason[t]! + s[t]!;
        const fit = stl(deseason, periods[i]!, {
          seasonalWindow: 7 + 4 * (i + 1),
          outer,
          ...(weights && { initialWeights: weights }),
        });
        s.set(fit.seasonal);
        trend = fit.trend;
        if (outer > 0) weights = fit.weights;
        for (let t = 0; t < n; t++) deseason[t] = deseason[t]! - s[t]!;
      }
    }
  }
  const remainder = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    remainder[t] = Number.isFinite(values[t]!) ? deseason[t]! - trend[t]! : NaN;
  }
  return {
    trend,
    trendStrength: strength(trend, remainder),
    seasonal: periods.map((period, i) => ({
      period,
      strength: strength(seasonals[i]!, remainder),
      values: seasonals[i]!,
    })),
    remainder,
    filled,
  };
}
