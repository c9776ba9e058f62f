/**
 * Stacking: combination weights per step fitted to the candidates' backtest errors together, so
 * that candidates whose errors move together share weight instead of adding it (session 28,
 * opt-in; README: Forecasting, "Stacking").
 *
 * @module
 */

import { simplexLeastSquares } from "./simplex_least_squares.ts";

// Inverse-MSE weights treat the candidates' errors as uncorrelated: two ETS variants that miss the
// same way get twice the say of one. Regressing the actuals on the candidates' forecasts with
// non-negative weights that sum to 1 (Granger & Ramanathan 1984, "Improved methods of combining
// forecasts", J. Forecasting 3(2); Breiman 1996, "Stacked regressions", Machine Learning 24) uses
// the cross-products of their errors instead: with Σw = 1 the mix's error is Σ w_c e_c, so the fit
// is the minimum of wᵀSw over the simplex, S the mean of e_c·e_d over the origins and the steps
// pooled around h (the window of `smoothedMse`).
/**
 * Stacked weights per candidate and step: at each step the non-negative weights summing to 1 that
 * minimise the mean squared backtest error of the mix over the given origins and the steps
 * max(`minHalfWidth`, ⌊h/2⌋) either side of h (`simplexLeastSquares`). Only the candidates with a
 * positive weight in `current` at that step and a finite error there take part; a pair of
 * candidates is averaged over the (origin, step) cells where both errors are finite. A step where
 * none takes part keeps `current`.
 *
 * @param errors Backtest errors per candidate, one array of `steps` per origin.
 * @param steps Steps backtested.
 * @param minHalfWidth Smallest number of steps pooled on either side.
 * @param current The weights the stacking may use (0: left out), per candidate and step.
 * @returns Weights per candidate and step (`steps` long), summing to 1 at each step.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stackWeights } from "./stack_weights.ts";
 * // errors of opposite sign cancel in an equal mix, which inverse-MSE weights would not find
 * const a = [new Float64Array([1]), new Float64Array([-1])];
 * const b = [new Float64Array([-2]), new Float64Array([2])];
 * const w = stackWeights([a, b], 1, 0, [new Float64Array([0.8]), new Float64Array([0.2])]);
 * assert.deepEqual(w.map((c) => +c[0]!.toFixed(9)), [0.666666667, 0.333333333]);
 * ```
 */
export function stackWeights(
  errors: Float64Array[][],
  steps: number,
  minHalfWidth: number,
  current: Float64Array[],
): Float64Array[] {
  const k = errors.length, origins = errors[0]?.length ?? 0;
  // prefix sums over the steps of Σ_origins e_c·e_d (and counts), for every pair c ≤ d
  const pairs = (k * (k + 1)) >> 1;
  const sum = new Float64Array(pairs * (steps + 1)), cnt = new Float64Array(pairs * (steps + 1));
  for (let h = 0; h < steps; h++) {
    let p = 0;
    for (let c = 0; c < k; c++) {
      for (let d = c; d < k; d++, p++) {
        let s = 0, n = 0;
        for (let o = 0; o < origins; o++) {
          const x = errors[c]![o]![h]! * errors[d]![o]![h]!;
          if (x === x) s += x, n++;
        }
        sum[p * (steps + 1) + h + 1] = sum[p * (steps + 1) + h]! + s;
        cnt[p * (steps + 1) + h + 1] = cnt[p * (steps + 1) + h]! + n;
      }
    }
  }
  const out = current.map((w) => Float64Array.from(w.subarray(0, steps)));
  // index of the pair (min, max) in the row-major upper triangle
  const pairAt = (c: number, d: number): number => {
    const lo = Math.min(c, d), hi = Math.max(c, d);
    return lo * k - ((lo * (lo - 1)) >> 1) + hi - lo;
  };
  for (let h = 0; h < steps; h++) {
    const w = Math.max(minHalfWidth, (h + 1) >> 1),
      a = Math.max(0, h - w),
      b = Math.min(steps, h + w + 1);
    const mean = (c: number, d: number) => {
      const p = pairAt(c, d) * (steps + 1), n = cnt[p + b]! - cnt[p + a]!;
      return n ? (sum[p + b]! - sum[p + a]!) / n : NaN;
    };
    const live: number[] = [];
    for (let c = 0; c < k; c++) if (current[c]![h]! > 0 && mean(c, c) === mean(c, c)) live.push(c);
    if (!live.length) continue;
    const m = live.length, s = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) s[i * m + j] = mean(live[i]!, live[j]!);
    }
    const x = simplexLeastSquares(s, m);
    if (!x.every(Number.isFinite)) continue;
    for (let c = 0; c < k; c++) out[c]![h] = 0;
    live.forEach((c, i) => out[c]![h] = x[i]!);
  }
  return out;
}
