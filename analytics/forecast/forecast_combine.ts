/**
 * Horizon-dependent forecast combination: weights per candidate and step from backtest errors.
 *
 * @module
 */

/**
 * Mean squared backtest error per step, averaged over the steps ⌊h/2⌋ before to ⌊h/2⌋ after h
 * (a window that widens with the horizon, so long-range steps pool more errors), or
 * `minHalfWidth` steps either side where that is wider. Steps without a finite error are `NaN`.
 *
 * @param errors Backtest errors, one array of `horizon` per origin.
 * @param horizon Steps.
 * @param minHalfWidth Smallest number of steps pooled on either side (default 0).
 * @returns Smoothed MSE per step.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smoothedMse } from "./forecast_combine.ts";
 * const m = smoothedMse([new Float64Array([1, 3, 3])], 3);
 * assert.deepEqual([...m], [1, 19 / 3, 9]);
 * ```
 */
export function smoothedMse(
  errors: Float64Array[],
  horizon: number,
  minHalfWidth = 0,
): Float64Array {
  return smoothedStepMean(errors, horizon, minHalfWidth, true);
}

/**
 * The pooling of {@linkcode smoothedMse}: the mean of the errors (`square` false) or of their
 * squares over the steps max(`minHalfWidth`, ⌊h/2⌋) either side of h, from prefix sums over the
 * steps. Shared with the intercept correction's mean error (`mix_bias.ts`).
 */
export function smoothedStepMean(
  errors: Float64Array[],
  horizon: number,
  minHalfWidth: number,
  square: boolean,
): Float64Array {
  const sum = new Float64Array(horizon + 1), cnt = new Float64Array(horizon + 1);
  for (let h = 0; h < horizon; h++) {
    let s = 0, c = 0;
    for (const row of errors) {
      const e = row[h]!;
      if (e === e) s += square ? e * e : e, c++;
    }
    sum[h + 1] = sum[h]! + s, cnt[h + 1] = cnt[h]! + c;
  }
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    const w = Math.max(minHalfWidth, (h + 1) >> 1),
      a = Math.max(0, h - w),
      b = Math.min(horizon, h + w + 1);
    const c = cnt[b]! - cnt[a]!;
    out[h] = c ? (sum[b]! - sum[a]!) / c : NaN;
  }
  return out;
}

// Inverse-MSE combination weights (Bates & Granger 1969, "The combination of forecasts", ORQ
// 20(4); Stock & Watson 2004), computed per forecast step so that the mix can shift from
// short-range models to long-range ones (cf. M4: combinations beat single methods).
/**
 * Weights of each candidate at each step, ∝ smoothed MSE^−`power` over the `top` candidates with
 * the lowest smoothed MSE at that step (others get 0). MSEs are floored at 1e-9 of the largest, so a
 * perfect candidate dominates without dividing by zero. Candidates without finite errors get 0;
 * if none has any, weights are equal.
 *
 * @param mse Smoothed MSE per candidate (from {@linkcode smoothedMse}), each of `horizon` steps.
 * @param top Candidates combined per step (≥ 1; default all).
 * @param power Exponent of the inverse MSE (default 1, Bates & Granger; 2 leans further towards
 * the best, see `forecast()`'s `weightPower`).
 * @returns Weights per candidate and step, summing to 1 at each step.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { combinationWeights } from "./forecast_combine.ts";
 * const w = combinationWeights([new Float64Array([1, 4]), new Float64Array([3, 4])]);
 * assert.deepEqual([...w[0]!], [0.75, 0.5]);
 * const sharp = combinationWeights([new Float64Array([1]), new Float64Array([3])], 2, 2);
 * assert.ok(Math.abs(sharp[0]![0]! - 0.9) < 1e-12);
 * ```
 */
export function combinationWeights(
  mse: Float64Array[],
  top = mse.length,
  power = 1,
): Float64Array[] {
  const k = mse.length, horizon = mse[0]?.length ?? 0;
  const weights = mse.map(() => new Float64Array(horizon));
  const order = Array.from({ length: k }, (_, c) => c);
  for (let h = 0; h < horizon; h++) {
    let max = 0;
    for (let c = 0; c < k; c++) max = Math.max(max, mse[c]![h]! || 0);
    const floor = max > 0 ? max * 1e-9 : 1;
    const at = (c: number) => (mse[c]![h]! === mse[c]![h]! ? Math.max(mse[c]![h]!, floor) : NaN);
    order.sort((a, b) => (at(a) || Infinity) - (at(b) || Infinity));
    let total = 0;
    for (let r = 0; r < Math.min(Math.max(1, top), k); r++) {
      const c = order[r]!, v = at(c);
      if (v === v) weights[c]![h] = v ** -power, total += v ** -power;
    }
    for (let c = 0; c < k; c++) weights[c]![h] = total ? weights[c]![h]! / total : 1 / k;
  }
  return weights;
}

// Forecast combination puzzle (Smith & Wallis 2009, "A simple explanation of the forecast
// combination puzzle", OBES 71(3); Claeskens et al. 2016, IJF 32(3)): weights estimated from a
// short backtest are noisy, and equal weights over the good candidates often do as well. Here
// the inverse-MSE weights are shrunk towards equal weights over the candidates whose MSE at that
// step is within `ratio` of the best (a trimmed equal-weight mean: the bad ones stay out).
/**
 * Shrinks combination weights towards equal weights over the near-best candidates: at each
 * step, `(1 − lambda) · weight + lambda / k` for the `k` weighted candidates whose MSE there is
 * at most `ratio` × the lowest, `(1 − lambda) · weight` for the others (a candidate left out by
 * `combine` stays out). Steps where no MSE is finite are
 * left as they are. The weights still sum to 1 at each step.
 *
 * @param weights Weights per candidate and step (from {@linkcode combinationWeights}).
 * @param mse The MSE per candidate and step they were computed from.
 * @param lambda Share moved to equal weights, in [0, 1] (0: unchanged).
 * @param ratio How far from the best MSE a candidate still counts as near-best (≥ 1).
 * @returns New weights (the inputs are not modified).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { combinationWeights, shrinkWeights } from "./forecast_combine.ts";
 * const mse = [new Float64Array([1]), new Float64Array([1.2]), new Float64Array([5])];
 * const w = shrinkWeights(combinationWeights(mse, 3, 2), mse, 1, 1.5);
 * assert.deepEqual([...w.map((c) => c[0])], [0.5, 0.5, 0]);
 * ```
 */
export function shrinkWeights(
  weights: Float64Array[],
  mse: Float64Array[],
  lambda: number,
  ratio: number,
): Float64Array[] {
  const out = weights.map((w) => Float64Array.from(w));
  const horizon = weights[0]?.length ?? 0;
  for (let h = 0; h < horizon; h++) {
    let best = Infinity;
    for (const m of mse) if (m[h]! < best) best = m[h]!;
    if (!Number.isFinite(best)) continue;
    const near = mse.map((m, c) => weights[c]![h]! > 0 && m[h]! <= ratio * best);
    const k = near.filter(Boolean).length;
    for (let c = 0; c < out.length; c++) {
      out[c]![h] = (1 - lambda) * out[c]![h]! + (near[c] ? lambda / k : 0);
    }
  }
  return out;
}

// The same puzzle from the other side: a 10-origin backtest where one candidate happened to do
// best can hand it most of a step's weight, and a candidate that extrapolates a recent change
// (`dshw` on OT, README: Forecasting) is then the forecast. A cap bounds what any one candidate
// can take; what it gives up goes to the others in proportion to their weights, so their order
// and the candidates left out (weight 0) stay as they were. With `near`, only where other
// candidates' backtests come close to the best one's: there the lead is the noisiest.
/**
 * Caps each candidate's weight at `cap` at every step and spreads the excess over the other
 * weighted candidates in proportion to their weights (water-filling: a candidate pushed over
 * the cap by that share is capped in turn). With `near`, the cap applies among the weighted
 * candidates whose MSE at that step is at most `near.ratio` × the lowest, and only they take
 * the excess (the others keep their weights; with no other near-best candidate the step is
 * left as it is). Where the cap cannot be met (fewer than ⌈share / cap⌉ candidates to share
 * it), they get equal shares. The weights still sum to 1 at each step.
 *
 * @param weights Weights per candidate and step, summing to 1 at each step.
 * @param cap Largest weight of one candidate, in (0, 1] (1: unchanged).
 * @param near The MSE per candidate and step the weights came from, and the ratio to the
 * lowest within which a candidate shares the excess (≥ 1); default: all weighted candidates.
 * @returns New weights (the inputs are not modified) and the number of steps where the cap bound.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capWeights } from "./forecast_combine.ts";
 * const w = [new Float64Array([0.7]), new Float64Array([0.2]), new Float64Array([0.1])];
 * const round = (ws: Float64Array[]) => ws.map((c) => Math.round(c[0]! * 1e9) / 1e9);
 * const { weights, bound } = capWeights(w, 0.5);
 * assert.deepEqual(round(weights), [0.5, 0.333333333, 0.166666667]);
 * assert.equal(bound, 1);
 * const mse = [new Float64Array([1]), new Float64Array([1.4]), new Float64Array([3])];
 * assert.deepEqual(round(capWeights(w, 0.5, { mse, ratio: 1.5 }).weights), [0.5, 0.4, 0.1]);
 * ```
 */
export function capWeights(
  weights: Float64Array[],
  cap: number,
  near?: { mse: Float64Array[]; ratio: number },
): { weights: Float64Array[]; bound: number } {
  const out = weights.map((w) => Float64Array.from(w));
  const horizon = weights[0]?.length ?? 0;
  let bound = 0;
  for (let h = 0; h < horizon; h++) {
    let live = out.map((_, c) => c).filter((c) => out[c]![h]! > 0);
    if (near) {
      let best = Infinity;
      for (const c of live) if (near.mse[c]![h]! < best) best = near.mse[c]![h]!;
      live = live.filter((c) => near.mse[c]![h]! <= near.ratio * best);
      if (live.length < 2) continue;
    }
    if (!live.some((c) => out[c]![h]! > cap)) continue;
    bound++;
    const share = live.reduce((s, c) => s + out[c]![h]!, 0);
    if (live.length * cap <= share) {
      for (const c of live) out[c]![h] = share / live.length;
      continue;
    }
    // Cap the largest until the rest, scaled to fill what the capped leave, stay under the cap.
    live.sort((a, b) => out[b]![h]! - out[a]![h]!);
    let capped = 0, rest = share;
    while (capped < live.length) {
      const c = live[capped]!, left = share - capped * cap;
      if (out[c]![h]! * left / rest <= cap) break;
      rest -= out[c]![h]!, capped++;
    }
    const left = share - capped * cap;
    live.forEach((c, r) => out[c]![h] = r < capped ? cap : out[c]![h]! * left / rest);
  }
  return { weights: out, bound };
}

/**
 * Whether selecting one candidate per step beat the mix out of sample inside the backtest (a
 * nested backtest): the mix's weights and each step's best candidate are taken from the origins
 * before the last `recent` only, and both are scored there; selection wins when its MSE over all
 * steps is below `margin` × the mix's. A mix-or-select decision per series, made without the
 * errors it is judged on (README: Forecasting).
 *
 * @param errors Backtest errors per candidate, one array of `steps` per origin (oldest first).
 * @param steps Steps backtested.
 * @param recent Most recent origins the two are scored on (at least 2 earlier ones must remain,
 * else `false`).
 * @param margin Selection must beat the mix's MSE times this (≤ 1: a margin in the mix's favour).
 * @param weigh The mix's rule: its weights and the MSE each step's best is chosen by, from the
 * earlier origins' errors.
 * @param poolSteps Steps pooled either side in the MSE (as `smoothedMse`'s `minHalfWidth`).
 * @returns `true` where the forecast should select instead of mixing.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectionBeatsMix } from "./forecast_combine.ts";
 * // candidate 0 is exact at every origin, candidate 1 always off by 1: a half-half mix loses
 * const errors = [0, 1].map((e) => Array.from({ length: 6 }, () => new Float64Array([e])));
 * const weigh = () => ({
 *   weights: [new Float64Array([0.5]), new Float64Array([0.5])],
 *   mse: [new Float64Array([0]), new Float64Array([1])],
 * });
 * assert.equal(selectionBeatsMix(errors, 1, 2, 0.9, weigh, 0), true);
 * ```
 */
export function selectionBeatsMix(
  errors: Float64Array[][],
  steps: number,
  recent: number,
  margin: number,
  weigh: (early: Float64Array[][]) => { weights: Float64Array[]; mse: Float64Array[] },
  poolSteps: number,
): boolean {
  const n = errors[0]?.length ?? 0;
  if (n - recent < 2) return false;
  const early = errors.map((e) => e.slice(0, n - recent)),
    late = errors.map((e) => e.slice(-recent));
  const { weights, mse } = weigh(early);
  const picks = Array.from({ length: steps }, (_, h) => bestAt(mse, h));
  const mixed = late[0]!.map((_, r) =>
    Float64Array.from(
      { length: steps },
      (_, h) =>
        late.reduce((a, e, c) => a + (weights[c]![h]! ? weights[c]![h]! * e[r]![h]! : 0), 0),
    )
  );
  const selected = late[0]!.map((_, r) =>
    Float64Array.from({ length: steps }, (_, h) => picks[h]! < 0 ? NaN : late[picks[h]!]![r]![h]!)
  );
  const total = (rows: Float64Array[]) =>
    smoothedMse(rows, steps, poolSteps).reduce((a, x) => a + x, 0);
  // a NaN total (a step without errors) compares false: the mix stays
  return total(selected) < margin * total(mixed);
}

/**
 * The candidate with the lowest finite MSE at step `h`, or −1 when none has one.
 *
 * @param mse MSE per candidate and step.
 * @param h Step.
 * @returns Index of the candidate.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bestAt } from "./forecast_combine.ts";
 * assert.equal(bestAt([new Float64Array([2]), new Float64Array([1])], 0), 1);
 * assert.equal(bestAt([new Float64Array([NaN])], 0), -1);
 * ```
 */
export function bestAt(mse: Float64Array[], h: number): number {
  let best = -1;
  mse.forEach((m, c) => {
    if (m[h]! === m[h]! && (best < 0 || m[h]! < mse[best]![h]!)) best = c;
  });
  return best;
}
