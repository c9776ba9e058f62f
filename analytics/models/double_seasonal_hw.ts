/**
 * Taylor's double seasonal Holt-Winters (additive, no trend) with the AR(1) adjustment of the
 * one-step error, as a forecasting candidate.
 *
 * @module
 */

import { dshwFilter, dshwInitialStates, type DshwParams, type DshwStates } from "./dshw_filter.ts";
import type { FittedModel, ModelForecast } from "./model_forecast.ts";
import { nelderMead } from "./nelder_mead.ts";

/** Options of {@linkcode doubleSeasonalHw}. */
export interface DoubleSeasonalHwOptions {
  /**
   * The short and long periods in points, e.g. `[24, 168]` for hourly data (default none). A
   * period is used only when the history holds two of its cycles; with one left the model is
   * Holt-Winters with the AR adjustment, with none simple exponential smoothing with it.
   */
  periods?: readonly number[];
  /** Fit to the one-step error, as Taylor (2003) does, instead of the 1…horizon-step one (default false). */
  oneStep?: boolean;
  /** Maximum objective evaluations of the optimiser (default 100, as `fitEts`). */
  maxEvaluations?: number;
}

/**
 * The short and long period `dshw` takes from the detected ones: the shortest and the longest;
 * with one detected, it and a week of its cycles (7 × it: a day's period is the usual one), when
 * the history holds two weeks. `undefined` (no candidate) without a period or with a shorter
 * history. The week was measured against the two detected periods alone on ETTh2's training split
 * and M4 (README: Forecasting): detection seldom finds 168 in ETTh2's 8-week histories.
 *
 * @param periods Detected periods, shortest first (each fitting twice into the history).
 * @param n History length.
 * @returns `[short, long]` or `undefined`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dshwPeriods } from "./double_seasonal_hw.ts";
 * assert.deepEqual(dshwPeriods([24], 1344), [24, 168]);
 * assert.equal(dshwPeriods([24], 300), undefined);
 * ```
 */
export function dshwPeriods(periods: readonly number[], n: number): number[] | undefined {
  const short = periods[0];
  if (!short) return undefined;
  if (periods.length > 1) return [short, periods.at(-1)!];
  return 14 * short <= n ? [short, 7 * short] : undefined;
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

function states(m1: number, m2: number): DshwStates {
  return { level: 0, season1: new Float64Array(m1), season2: new Float64Array(m2), error: 0 };
}

// Taylor (2003), JORS 54(8): double seasonal exponential smoothing, parameters and the AR(1)
// coefficient estimated together. Here, as `holtWinters`, by Nelder–Mead on the squared error of
// 1…horizon-step forecasts (steps 1, 2, 4, …, horizon) rather than Taylor's one-step SSE.
/**
 * Fits the model once to the whole history. The forecast k steps after origin t is
 * `L_t + D_{t+k} + W_{t+k} + φ^k·e_t` (each season's latest state of that phase; e_t the last
 * one-step error). `at(end, h)` re-runs the filter with the fitted parameters over
 * `values[0, end)` from the initial states, which come from the first two long cycles (an
 * earlier origin takes them from its own prefix), so no origin sees a value after it beyond the
 * parameters fitted on the whole history, as with the other ETS candidates. Standard deviations
 * treat e_t as AR(1) with the fitted φ and the fitted one-step variance.
 *
 * @param values Gap-free history (`NaN` moves on with a zero error).
 * @param horizon Steps ahead the loss targets.
 * @param options Periods, optimiser budget.
 * @returns The fitted model (params: periods, alpha, gamma1, gamma2, phi).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { doubleSeasonalHw } from "./double_seasonal_hw.ts";
 * const y = Float64Array.from({ length: 672 }, (_, i) => Math.sin((2 * Math.PI * i) / 24) + (i % 168 < 120 ? 1 : 0));
 * const f = doubleSeasonalHw(y, 24, { periods: [24, 168] }).at(672, 24);
 * assert.ok(Math.abs(f.mean[3]! - y[3]!) < 0.1);
 * ```
 */
export function doubleSeasonalHw(
  values: Float64Array,
  horizon: number,
  options: DoubleSeasonalHwOptions = {},
): FittedModel {
  const n = values.length;
  const fit = [...new Set((options.periods ?? []).map(Math.round))]
    .filter((p) => p >= 2 && 2 * p <= n).sort((a, b) => a - b);
  const m1 = fit[0] ?? 1, m2 = fit.at(-1) ?? 1, k1 = fit.length > 0, k2 = fit.length > 1;
  const init = dshwInitialStates(values, m1, m2);
  const st = states(m1, m2);
  let finite = 0;
  for (const v of values) if (v === v) finite++;
  const decode = (u: Float64Array): DshwParams => {
    const alpha = 0.0001 + 0.9998 * sigmoid(u[0]!);
    return {
      alpha,
      gamma1: k1 ? (1 - alpha) * sigmoid(u[1]!) : 0,
      gamma2: k2 ? (1 - alpha) * sigmoid(u[2]!) : 0,
      phi: 0.99 * (2 * sigmoid(u[3]!) - 1),
      period1: m1,
      period2: m2,
    };
  };
  // unused coordinates stay at their start: the optimiser moves them without effect
  const x0 = Float64Array.from([logit(0.3), logit(0.1), logit(0.1), logit((0.5 / 0.99 + 1) / 2)]);
  let best = decode(x0);
  if (finite >= 3) {
    const lossHorizon = options.oneStep
      ? 1
      : Math.max(1, Math.min(Math.round(horizon), finite >> 1));
    const steps: number[] = [];
    for (let h = 1; h < lossHorizon; h *= 2) steps.push(h);
    steps.push(lossHorizon);
    const multi = lossHorizon > 1 ? Int32Array.from(steps) : undefined;
    const stride = Math.max(4, Math.ceil(lossHorizon / 8));
    best = decode(
      nelderMead((u) => dshwFilter(values, decode(u), init, st, multi, stride), x0, {
        maxEvaluations: options.maxEvaluations ?? 100,
        tolerance: 1e-5,
      }).x,
    );
  }
  const sse = dshwFilter(values, best, init, st);
  const k = 5 + (k1 ? m1 - 1 : 0) + (k2 ? m2 - 1 : 0);
  const sigma2 = sse / Math.max(1, finite - k);
  const params = {
    periods: fit,
    alpha: best.alpha,
    gamma1: best.gamma1,
    gamma2: best.gamma2,
    phi: best.phi,
  };
  return {
    params,
    at(end, h): ModelForecast {
      let s = st;
      if (end !== n) {
        // an origin inside the first two long cycles takes its initial states from its prefix
        const prefix = values.subarray(0, end);
        const from = end < 2 * m2 && end < n ? dshwInitialStates(prefix, m1, m2) : init;
        s = states(m1, m2), dshwFilter(prefix, best, from, s);
      }
      return { ...dshwForecast(s, best, end, h, sigma2), params };
    },
  };
}

/** Forecast and standard deviations from the states after `t` points. */
function dshwForecast(
  s: DshwStates,
  p: DshwParams,
  t: number,
  h: number,
  sigma2: number,
): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(h), sd = new Float64Array(h);
  // error h steps ahead = Σ_r b_r·ε_{t+h−r}, b_0 = 1, b_r = φ·b_{r−1} + c_r with
  // c_r = α + γ1·[r mod m1 = 0] + γ2·[r mod m2 = 0] (the ETS class-1 weights, Hyndman et al. 2008)
  let pp = 1, b = 1, cum = 0;
  for (let k = 1; k <= h; k++) {
    pp *= p.phi;
    mean[k - 1] = s.level + s.season1[(t + k - 1) % p.period1]! +
      s.season2[(t + k - 1) % p.period2]! + pp * s.error;
    cum += b * b;
    sd[k - 1] = Math.sqrt(sigma2 * cum);
    b = p.phi * b + p.alpha + (k % p.period1 === 0 ? p.gamma1 : 0) +
      (k % p.period2 === 0 ? p.gamma2 : 0);
  }
  return { mean, sd };
}
