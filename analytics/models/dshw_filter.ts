/**
 * The recursions of Taylor's double seasonal Holt-Winters (additive, no trend) with an AR(1)
 * adjustment of the one-step error: initial states and the filter, shared by fitting and by
 * re-running a fitted model over a prefix of its history.
 *
 * @module
 */

/** Level, the two seasonal states by phase, and the last one-step error. */
export interface DshwStates {
  /** Level. */
  level: number;
  /** Short-cycle seasonal states by phase `t mod period1`. */
  season1: Float64Array;
  /** Long-cycle seasonal states by phase `t mod period2`. */
  season2: Float64Array;
  /** Last one-step error of the unadjusted forecast (0 before the first point). */
  error: number;
}

/** Smoothing parameters and periods of the filter. */
export interface DshwParams {
  /** Level smoothing, in (0, 1). */
  alpha: number;
  /** Short-cycle seasonal smoothing (error-correction form), in (0, 1 − alpha). */
  gamma1: number;
  /** Long-cycle seasonal smoothing (error-correction form), in (0, 1 − alpha). */
  gamma2: number;
  /** AR(1) coefficient of the one-step error, in (−1, 1). */
  phi: number;
  /** Short period (≥ 2). */
  period1: number;
  /** Long period (> period1). */
  period2: number;
}

/**
 * Initial states from the first two long cycles (one when shorter): the level is their mean, the
 * short-cycle states the mean deviation of each short phase, the long-cycle states what is left
 * at each long phase; both seasons sum to zero. `NaN` are skipped.
 *
 * @param y The series (at least `period2` points for a full long cycle).
 * @param period1 Short period.
 * @param period2 Long period.
 * @returns States before the first point.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dshwInitialStates } from "./dshw_filter.ts";
 * const s = dshwInitialStates(new Float64Array([1, 3, 1, 3, 2, 4, 2, 4]), 2, 4);
 * assert.deepEqual([s.level, ...s.season1], [2.5, -1, 1]);
 * ```
 */
export function dshwInitialStates(y: Float64Array, period1: number, period2: number): DshwStates {
  const len = Math.min(
    y.length,
    Math.max(1, Math.min(2, Math.floor(y.length / period2))) * period2,
  );
  let sum = 0, k = 0;
  for (let i = 0; i < len; i++) if (y[i] === y[i]) k++, sum += y[i]!;
  const level = k ? sum / k : 0;
  const season1 = phaseMeans(y, len, period1, () => level);
  const season2 = phaseMeans(y, len, period2, (i) => level + season1[i % period1]!);
  return { level, season1, season2, error: 0 };
}

/** Centred mean of `y[i] − base(i)` per phase `i mod m` over `y[0, len)`. */
function phaseMeans(
  y: Float64Array,
  len: number,
  m: number,
  base: (i: number) => number,
): Float64Array {
  const sum = new Float64Array(m), count = new Float64Array(m);
  for (let i = 0; i < len; i++) {
    if (y[i] === y[i]) sum[i % m]! += y[i]! - base(i), count[i % m]!++;
  }
  let mean = 0;
  for (let j = 0; j < m; j++) sum[j] = count[j]! ? sum[j]! / count[j]! : 0, mean += sum[j]! / m;
  for (let j = 0; j < m; j++) sum[j]! -= mean;
  return sum;
}

// Taylor (2003), "Short-term electricity demand forecasting using double seasonal exponential
// smoothing", JORS 54(8), eqs. (5)–(9) without trend, in error-correction form: with
// e_t = y_t − (L + D + W), L += α·e, D += δ(1 − α)·e = γ1·e, W += γ2·e; the k-step forecast adds
// φ^k·e_t. The multi-step loss is that of `etsFilter` (steps `steps` from every `stride`-th point).
/**
 * Runs the filter from `init` over `y` (`NaN` moves on with a zero error), leaving the final
 * states in `out`. Returns the SSE of the AR-adjusted one-step errors (e_t − φ·e_{t−1}), or with
 * `steps` the mean squared error of the adjusted forecasts `steps` ahead from every `stride`-th
 * point.
 *
 * @param y The series.
 * @param p Parameters and periods.
 * @param init States before the first point (not modified).
 * @param out Receives the final states (its arrays must hold `period1` and `period2` values).
 * @param steps Forecast steps for the multi-step loss (optional).
 * @param stride Spacing of the multi-step origins (default 1).
 * @returns SSE or the multi-step mean squared error (0 when nothing was scored).
 */
export function dshwFilter(
  y: Float64Array,
  p: DshwParams,
  init: DshwStates,
  out: DshwStates,
  steps?: Int32Array,
  stride = 1,
): number {
  const { alpha: a, gamma1: g1, gamma2: g2, phi, period1: m1, period2: m2 } = p;
  const d = out.season1, w = out.season2, ns = steps ? steps.length : 0;
  d.set(init.season1), w.set(init.season2);
  let l = init.level, prev = init.error, sse = 0, loss = 0, count = 0;
  for (let t = 0, j1 = 0, j2 = 0; t < y.length; t++) {
    const v = y[t]!, e = v === v ? v - (l + d[j1]! + w[j2]!) : 0;
    const u = e - phi * prev;
    sse += u * u;
    l += a * e, d[j1]! += g1 * e, w[j2]! += g2 * e, prev = e;
    if (++j1 === m1) j1 = 0;
    if (++j2 === m2) j2 = 0;
    if (ns && t % stride === 0) {
      for (let k = 0, pp = 1, h0 = 0; k < ns; k++) {
        const h = steps![k]!;
        for (; h0 < h; h0++) pp *= phi;
        if (t + h >= y.length) break;
        const target = y[t + h]!;
        if (target !== target) continue;
        const f = l + d[(j1 + h - 1) % m1]! + w[(j2 + h - 1) % m2]! + pp * e;
        loss += (target - f) ** 2, count++;
      }
    }
  }
  out.level = l, out.error = prev;
  return steps ? (count ? loss / count : 0) : sse;
}
