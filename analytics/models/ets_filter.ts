/**
 * The state-space recursions of additive-error ETS: initial states and the filter, shared by
 * fitting (`fitEts`) and by re-running a fitted model over a prefix of its history.
 *
 * @module
 */

/** Level, slope and seasonal states of an ETS model. */
export interface EtsStates {
  /** Level. */
  level: number;
  /** Slope (0 without trend). */
  slope: number;
  /** Seasonal states by phase `t mod period` (one zero without season). */
  season: Float64Array;
}

/** Smoothing parameters of the filter. */
export interface EtsParams {
  /** Level smoothing. */
  alpha: number;
  /** Slope smoothing. */
  beta: number;
  /** Seasonal smoothing. */
  gamma: number;
  /** Damping (1 undamped, 0 without trend). */
  phi: number;
  /** Seasonal period (< 2 for none). */
  period: number;
}

// Hyndman, Koehler, Ord & Snyder (2008), Forecasting with Exponential Smoothing, §2.6: heuristic
// initial states from a linear fit and mean seasonal deviations over the first (≤ 4) cycles.
/**
 * Initial states from the first cycles (the first 12 points without season). `NaN` are skipped;
 * none finite gives zeros.
 *
 * @param y The series.
 * @param m Seasonal period (< 2 for none).
 * @param trend Whether to estimate a slope.
 * @returns States at time −1.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsInitialStates } from "./ets_filter.ts";
 * const s = etsInitialStates(new Float64Array([1, 3, 1, 3]), 2, false);
 * assert.deepEqual([s.level, ...s.season], [2, -1, 1]);
 * ```
 */
export function etsInitialStates(y: Float64Array, m: number, trend: boolean): EtsStates {
  const cycles = m > 1 ? Math.max(1, Math.min(4, Math.floor(y.length / m))) : 1;
  const len = Math.min(y.length, m > 1 ? cycles * m : 12);
  let sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
  for (let i = 0; i < len; i++) {
    const v = y[i]!;
    if (Number.isFinite(v)) sx += i, sy += v, sxx += i * i, sxy += i * v, k++;
  }
  const det = k * sxx - sx * sx;
  const slope = trend && k > 1 && det > 0 ? (k * sxy - sx * sy) / det : 0;
  const level = k > 0 ? (sy - slope * sx) / k : 0;
  const season = new Float64Array(Math.max(1, m)), counts = new Float64Array(season.length);
  if (m > 1) {
    for (let i = 0; i < len; i++) {
      const v = y[i]!;
      if (Number.isFinite(v)) season[i % m]! += v - level - slope * i, counts[i % m]!++;
    }
    let mean = 0;
    for (let j = 0; j < m; j++) season[j] = counts[j]! ? season[j]! / counts[j]! : 0;
    for (let j = 0; j < m; j++) mean += season[j]! / m;
    for (let j = 0; j < m; j++) season[j]! -= mean;
  }
  return { level: level - slope, slope, season };
}

// Hyndman et al. (2008), ch. 3: ETS(A,Ad,A) recursions; multi-step loss as in R forecast::ets
// "amse" (Hyndman & Khandakar 2008), here on steps `steps` from every `stride`-th origin.
/**
 * Runs the filter from `init` over `y` (`NaN` moves on with a zero error), leaving the final
 * states in `out`. Returns the one-step SSE, or with `steps` the mean squared error of the
 * forecasts `steps` ahead from every `stride`-th point.
 *
 * @param y The series.
 * @param p Smoothing parameters and period.
 * @param init States before the first point (not modified).
 * @param out Receives the final states (`out.season` must hold `max(1, period)` values).
 * @param steps Forecast steps for the multi-step loss (optional).
 * @param stride Spacing of the multi-step origins (default 1).
 * @returns SSE or the multi-step mean squared error (0 when nothing was scored).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsFilter } from "./ets_filter.ts";
 * const init = { level: 0, slope: 0, season: new Float64Array(1) };
 * const out = { level: 0, slope: 0, season: new Float64Array(1) };
 * const p = { alpha: 0.5, beta: 0, gamma: 0, phi: 0, period: 0 };
 * assert.equal(etsFilter(new Float64Array([2, 2]), p, init, out), 5);
 * assert.equal(out.level, 1.5);
 * ```
 */
export function etsFilter(
  y: Float64Array,
  p: EtsParams,
  init: EtsStates,
  out: EtsStates,
  steps?: Int32Array,
  stride = 1,
): number {
  const { alpha: a, beta: b, gamma: g, phi } = p, m = p.period > 1 ? p.period : 1;
  let l = init.level, s = init.slope, sse = 0, loss = 0, count = 0;
  const season = out.season, ns = steps ? steps.length : 0;
  season.set(init.season);
  for (let t = 0, j = 0; t < y.length; t++, j = j + 1 === m ? 0 : j + 1) {
    const sj = season[j]!, v = y[t]!;
    const e = v === v ? v - (l + phi * s + sj) : 0;
    sse += e * e;
    l = l + phi * s + a * e;
    s = phi * s + b * e;
    season[j] = m > 1 ? sj + g * e : 0;
    if (ns && t % stride === 0) {
      for (let k = 0, ps = 0, pp = 1, h0 = 0; k < ns; k++) {
        const h = steps![k]!;
        for (; h0 < h; h0++) pp *= phi, ps += pp;
        if (t + h >= y.length) break;
        const target = y[t + h]!;
        if (target !== target) continue;
        const d = target - (l + ps * s + season[(t + h) % m]!);
        loss += d * d, count++;
      }
    }
  }
  out.level = l, out.slope = s;
  return steps ? (count ? loss / count : 0) : sse;
}
