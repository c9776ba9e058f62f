/**
 * Forecasting by a horizon-dependent combination of candidate models, weighted by their
 * rolling-origin backtest errors, with intervals calibrated on the combination's backtest.
 *
 * @module
 */

import type { BacktestErrors } from "./backtest.ts";
import { backtestFitted, backtestPlan, rollingOrigins } from "./backtest_fitted.ts";
import { candidateModels, type CandidateName } from "./forecast_candidates.ts";
import {
  bestAt,
  capWeights,
  combinationWeights,
  selectionBeatsMix,
  shrinkWeights,
  smoothedMse,
} from "./forecast_combine.ts";
import type { ForecastCandidate } from "./forecast_fitted.ts";
import type { EtsWindowOptions } from "../models/model_forecast.ts";
import { calibrateIntervals } from "./forecast_intervals.ts";
import { prepareForecast } from "./forecast_prepare.ts";
import { assembleResult, type ForecastResult } from "./forecast_result.ts";
import { scoreRun } from "./forecast_score.ts";
import { clipNonNegative } from "./clip_non_negative.ts";
import { mixCorrection } from "./mix_correction.ts";
import { smoothedMeanError } from "./mix_bias.ts";
import { stackWeights } from "./stack_weights.ts";
import { type Combiner, nestedCombiner } from "./nested_combiner.ts";
import {
  backtestOnOriginal,
  backTransformResult,
  prepareTransform,
  type TransformName,
} from "./forecast_transform.ts";

export type { CandidateName } from "./forecast_candidates.ts";
export type { ForecastResult } from "./forecast_result.ts";
export type { TransformName } from "./forecast_transform.ts";

/** Options of {@linkcode forecast}. */
export interface ForecastOptions {
  /** Steps to forecast (integer ≥ 1). */
  horizon: number;
  /** Seasonal period(s) in points, `0` for none, or `"auto"` to detect them (default `"auto"`). */
  season?: "auto" | number | number[];
  /** Sampling step in ms, recorded in the fitted model (default `NaN`: unknown). */
  stepMs?: number;
  /**
   * Candidate models (default `DEFAULT_CANDIDATES`; the others, e.g. `ar`, `fourier`, `ets_mle`,
   * `ets_damped`, `ets_auto_avg` and the slow `mstl_ets`, `augurs_mstl`, are opt-in).
   */
  models?: CandidateName[];
  /**
   * Candidates mixed at each step, the best by backtest there (default all; < 2: the single
   * best overall). The defaults of `combine` and `weightPower` were chosen on folds of M4 hourly
   * series and on the training split of ETTh2's seven columns (README: Forecasting).
   */
  combine?: number;
  /** Mixing weights ∝ backtest MSE^−weightPower (default 2; 1 is Bates & Granger's). */
  weightPower?: number;
  /**
   * Largest number of backtest origins, ⌈horizon / 4⌉ apart, or `minOriginSpacing` where that is
   * wider (default 40).
   */
  origins?: number;
  /**
   * Fewest steps between backtest origins (default 0: ⌈H/4⌉ always), applied where the history
   * still holds RECENT_ORIGINS origins that far apart. A short horizon's origins ⌈H/4⌉ apart crowd
   * into the last days (at H = 24, 40 origins cover 10 days, the weights' last 10 only 2½), so its
   * weights follow a few days' luck; wider spacing lets them see more of the history. Opt-in: 24
   * gained on ETTh2's training split and M4 overall but was worse in two of M4's five folds
   * (README: Forecasting, "Wider origin spacing").
   */
  minOriginSpacing?: number;
  /**
   * Share of each step's weight moved to equal weights over the candidates whose backtest MSE
   * there is within `shrinkRatio` of the best, in [0, 1] (default SHRINK; 0: pure inverse-MSE
   * weights; see `shrinkWeights`). Chosen with `shrinkRatio` and `recentOrigins` on ETTh2's
   * training split and M4's folds (README: Forecasting).
   */
  shrink?: number;
  /**
   * Smallest number of steps pooled either side of each step in the backtest MSE the weights
   * come from (default POOL_STEPS; see `smoothedMse`, whose window otherwise widens with the
   * step: the first steps alone rest on few errors).
   */
  poolSteps?: number;
  /** See `shrink` (default SHRINK_RATIO). */
  shrinkRatio?: number;
  /**
   * Weights from the backtest errors of the last `recentOrigins` origins only (default
   * RECENT_ORIGINS; `Infinity`: all). Intervals are calibrated on all origins either way.
   */
  recentOrigins?: number;
  /**
   * Largest weight any one candidate takes at a step, after `shrink`, in (0, 1] (default 1: no
   * cap); the excess goes to the others in proportion to their weights (see `capWeights`).
   * Measured on ETTh2's training split and M4's folds and not made a default: it lost on both
   * (README: Forecasting).
   */
  weightCap?: number;
  /**
   * Apply `weightCap` only among the candidates within `shrinkRatio` of the best MSE at a step,
   * who take the excess; a step with no such rival is left as it is (default false).
   */
  weightCapNearBest?: boolean;
  /**
   * Mix or select per series, decided on a nested backtest (see `selectionBeatsMix`): the mix's
   * weights and each step's best candidate from the backtest's origins before the last `recent`
   * (default 10), both scored on those `recent`; where selection's MSE over all steps is below
   * `margin` (default 0.9) × the mix's, every step takes its best candidate (by the MSE the
   * weights come from) instead of the mix. Off by default (README: Forecasting).
   */
  mixOrSelect?: { recent?: number; margin?: number };
  /**
   * Variance-stabilising transform of a strictly positive history (default `TRANSFORM`): `"log"`,
   * or `"boxcox"` with λ by Guerrero's method on the shortest detected period (else 24 points),
   * in [0, 1]. Every candidate is fitted on the transformed history; the weights and scores come
   * from the backtest errors back on the original scale; the forecast is the back-transformed
   * median (the mean with `biasAdjust`) and the intervals are the transformed ones mapped back.
   * A history with a value ≤ 0 (or λ = 1) is forecast as with `"none"`. The default
   * (`TRANSFORM`, `"boxcox"` with the median) was chosen by a rule fixed before the figures, on
   * M4's folds and ETTh2's raw training split (README: Forecasting). `"logit"` is for a ratio
   * bounded by [0, 1] (`logitRatio`, shift `LOGIT_EPSILON`): it applies where every value lies in
   * [0, 1], and the forecast and both bands then stay in [0, 1]. Which transform a caller that
   * knows its metric uses is `transformFor`'s rule (README: Forecasting, "Bounded ratios").
   */
  transform?: TransformName;
  /**
   * Smallest Box-Cox λ Guerrero's method may choose, in [0, 1] (default 0); measured for
   * bounded ratios (bench/ratio_transform_bench.ts).
   */
  lambdaMin?: number;
  /**
   * With `transform` `"log"` or `"boxcox"`, forecast the back-transformed mean instead of the
   * median (default false; the logit gives the median).
   */
  biasAdjust?: boolean;
  /**
   * How `ets_auto` and `ets_bagged` treat a history longer than the window they fit (default:
   * the last 2,016 points, heuristic states before it); for measuring that window (README:
   * Forecasting, `bench/forecast_window_bench.ts`).
   */
  etsWindow?: EtsWindowOptions;
  /**
   * Add to the mix's forecast its last one-step error times a slope per step (`"direct"`, over
   * one cycle of the shortest period, else 24 steps) or φ^h (`"ar1"`), estimated on the mix's
   * errors at the last `origins` (default 96) stride-1 origins (see `mixCorrection`). Off by
   * default; measured in bench/mix_correction_bench.ts (README: Forecasting).
   */
  mixCorrection?: { form: "direct" | "ar1"; origins?: number };
  /**
   * Share in [0, 1] of the mix's mean backtest error per step (over the last `recentOrigins`
   * origins, pooled over the steps the weights' MSE pools; see `smoothedMeanError`) added to its
   * forecast: an intercept correction (default 0: none; measured in
   * bench/intercept_correction_bench.ts, README: Forecasting).
   */
  interceptCorrection?: number;
  /**
   * Stacking (Granger & Ramanathan 1984; Breiman 1996): at each step the non-negative weights
   * summing to 1 that minimise the mix's squared backtest error over the last `recentOrigins`
   * origins (default: the weights' `recentOrigins`; `Infinity`: all), pooled over the steps the
   * weights' MSE pools, among the candidates the weights above use there (`stackWeights`); then
   * a `shrink` share (in [0, 1], default 0) of each step moved back to those weights. It accounts
   * for candidates whose errors move together. Off by default: measured and dropped in
   * bench/stacking_bench.ts (README: Forecasting, "Stacking").
   */
  stacking?: StackingOptions;
  /**
   * Choose per call between the default weights and each of `variants` (stacking options as in
   * `stacking`; default `[{ recentOrigins: Infinity, shrink: 0.5 }]`) by a nested backtest: at
   * each of the last `origins` (default 10) backtest origins, every rule's weights from the
   * origins whose backtested window ends at or before it only, the mix scored there; the lowest
   * MSE over those origins wins, ties go to the default weights (`nestedCombiner`). Off by
   * default: measured and dropped in bench/nested_stacking_bench.ts (README: Forecasting,
   * "Nested choice of the combiner"). Not with
   * `stacking` or `mixOrSelect`.
   */
  nestedStacking?: { origins?: number; variants?: StackingOptions[] };
}

/** How {@linkcode forecast} stacks the candidates (its options `stacking`, `nestedStacking`). */
export interface StackingOptions {
  /** Latest origins the stack is fitted on (default: the weights' `recentOrigins`). */
  recentOrigins?: number;
  /** Share in [0, 1] of each step moved back to the default weights (default 0). */
  shrink?: number;
}

function checkStacking(o: StackingOptions, recent: number, name: string): void {
  const last = o.recentOrigins ?? recent, back = o.shrink ?? 0;
  if (!(last >= 1)) {
    throw new RangeError(`Invalid ${name}.recentOrigins: ${last} (expected ≥ 1)`);
  }
  if (!(back >= 0 && back <= 1)) {
    throw new RangeError(`Invalid ${name}.shrink: ${back} (expected [0, 1])`);
  }
}

/** Default `transform` of {@linkcode forecast}. */
export const TRANSFORM: TransformName = "boxcox";
/** Default `shrink` of {@linkcode forecast}. */
export const SHRINK = 0.5;
/** Default `shrinkRatio` of {@linkcode forecast}. */
export const SHRINK_RATIO = 1.5;
/** Default `recentOrigins` of {@linkcode forecast}. */
export const RECENT_ORIGINS = 10;
/** Default `poolSteps` of {@linkcode forecast}. */
export const POOL_STEPS = 5;

function mix(runs: BacktestErrors[], weights: Float64Array[]): BacktestErrors {
  const first = runs[0]!;
  const errors = first.errors.map((row, o) =>
    row.map((_, h) => runs.reduce((a, r, c) => a + weights[c]![h]! * r.errors[o]![h]!, 0))
  );
  const sd = first.sd.map((row, o) =>
    row.map((_, h) => runs.reduce((a, r, c) => a + weights[c]![h]! * (r.sd[o]![h]! || 0), 0))
  );
  return { origins: first.origins, errors, actuals: first.actuals, sd };
}

/**
 * Steps between backtest origins: ⌈steps / 4⌉, widened to `least` where the history still holds
 * RECENT_ORIGINS origins that far apart (a short history keeps its denser origins rather than
 * lose the ones the weights and intervals need).
 */
function originSpacing(n: number, plan: { horizon: number; minTrain: number }, least: number) {
  const dense = Math.ceil(plan.horizon / 4);
  if (least <= dense) return dense;
  const room = Math.floor((n - plan.horizon - plan.minTrain) / least) + 1;
  return room >= RECENT_ORIGINS ? least : dense;
}

/** `a` lengthened to `length` by repeating its last value. */
function hold(a: Float64Array, length: number): Float64Array {
  const out = new Float64Array(length).fill(a[a.length - 1] ?? NaN);
  out.set(a.subarray(0, length));
  return out;
}

const none = (name: string): ForecastCandidate => ({
  name,
  mse: NaN,
  mae: NaN,
  wape: NaN,
  coverage80: NaN,
  coverage95: NaN,
  origins: 0,
});

/**
 * Forecasts a series. Detects seasonal periods, fits each candidate once to the whole history,
 * backtests it at up to `origins` rolling origins (re-running its filter on each prefix), and
 * mixes the `combine` best candidates at each step with weights ∝ 1 / (backtest MSE around that
 * step, at least `poolSteps` either side, over the last `recentOrigins` origins)^`weightPower`,
 * so short and long horizons can
 * favour different models, then moves a `shrink` share of each step's weight to equal weights
 * over the candidates near the best there (estimated weights are noisy). The 80 % and 95 %
 * intervals come from the mix's own backtest errors (analytic ones where too few). A horizon
 * too close to the history length to backtest (fewer than 4 origins) is backtested over fewer
 * steps from origins with at least half the history (see `backtestPlan`); the weights of the
 * last backtested step carry on and the interval scale grows beyond it (method `extrapolated`,
 * see `calibrateIntervals`), so a rising series is not forecast flat for want of a backtest.
 * A strictly positive history is fitted on its Box-Cox transform (λ by Guerrero's method; see
 * `transform`), its backtest errors mapped back to weigh and score the candidates, and the
 * forecast (the median) and intervals mapped back. Only a history too short for a one-step backtest (≤ 8 points, or twice the longest period)
 * falls back to ETS without trend (`ets` or `ets_bagged`, whichever is a candidate) and analytic
 * intervals, with `NaN` backtest scores. When no history value is negative, the forecast and
 * both intervals are clipped at 0 (`clipNonNegative`). Gaps are interpolated; values are
 * scaled internally, so huge magnitudes do not overflow the fit. Empty or all-`NaN` input gives
 * `NaN` forecasts and model `none`; one point or a constant series gives a flat forecast with
 * zero-width intervals.
 *
 * @param values The history (`NaN` for missing), oldest first.
 * @param options Horizon, season, candidate models, combination, origins.
 * @returns Forecast, intervals, backtest accuracy and a serializable model description.
 * @throws {RangeError} If `horizon` is not an integer ≥ 1, a period is not an integer ≥ 2, a
 * model is unknown, `shrink` is outside [0, 1], `shrinkRatio` < 1, `recentOrigins` < 1,
 * `weightCap` is outside (0, 1], `poolSteps` or `minOriginSpacing` is not an integer ≥ 0, `mixOrSelect.recent` is not
 * an integer ≥ 1, `mixOrSelect.margin` is not > 0, `stacking.recentOrigins` < 1 or
 * `stacking.shrink` is outside [0, 1], `nestedStacking.origins` is not an integer ≥ 1, a
 * `nestedStacking` variant is invalid as `stacking` is, or `nestedStacking` comes with `stacking`
 * or `mixOrSelect`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecast } from "./forecast.ts";
 * const y = Float64Array.from({ length: 24 * 20 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24));
 * const f = forecast(y, { horizon: 24 });
 * assert.ok(Math.abs(f.mean[6]! - 11) < 0.1);
 * assert.ok(f.lo95[6]! <= f.mean[6]! && f.mean[6]! <= f.hi95[6]!);
 * ```
 */
export function forecast(values: Float64Array, options: ForecastOptions): ForecastResult {
  const original = prepareForecast(values, options);
  const transformed = prepareTransform(values, original, options.transform ?? TRANSFORM, options);
  const prep = transformed?.prep ?? original;
  const lambda = options.shrink ?? SHRINK, ratio = options.shrinkRatio ?? SHRINK_RATIO;
  const recent = options.recentOrigins ?? RECENT_ORIGINS;
  const poolSteps = options.poolSteps ?? POOL_STEPS;
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`Invalid shrink: ${lambda}`);
  if (!(ratio >= 1)) throw new RangeError(`Invalid shrinkRatio: ${ratio} (expected ≥ 1)`);
  if (!(recent >= 1)) throw new RangeError(`Invalid recentOrigins: ${recent} (expected ≥ 1)`);
  const cap = options.weightCap ?? 1;
  if (!(cap > 0 && cap <= 1)) throw new RangeError(`Invalid weightCap: ${cap} (expected (0, 1])`);
  if (!(Number.isInteger(poolSteps) && poolSteps >= 0)) {
    throw new RangeError(`Invalid poolSteps: ${poolSteps} (expected an integer ≥ 0)`);
  }
  const spacing = options.minOriginSpacing ?? 0;
  if (!(Number.isInteger(spacing) && spacing >= 0)) {
    throw new RangeError(`Invalid minOriginSpacing: ${spacing} (expected an integer ≥ 0)`);
  }
  const intercept = options.interceptCorrection ?? 0;
  if (!(intercept >= 0 && intercept <= 1)) {
    throw new RangeError(`Invalid interceptCorrection: ${intercept} (expected [0, 1])`);
  }
  const stacking = options.stacking;
  if (stacking) checkStacking(stacking, recent, "stacking");
  const nested = options.nestedStacking;
  const nestedVariants = nested?.variants ?? [{ recentOrigins: Infinity, shrink: 0.5 }];
  if (nested) {
    const k = nested.origins ?? 10;
    if (!(Number.isInteger(k) && k >= 1)) {
      throw new RangeError(`Invalid nestedStacking.origins: ${k} (expected an integer ≥ 1)`);
    }
    nestedVariants.forEach((v, i) => checkStacking(v, recent, `nestedStacking.variants[${i}]`));
    if (stacking || options.mixOrSelect) {
      throw new RangeError("nestedStacking cannot be combined with stacking or mixOrSelect");
    }
  }
  const choice = options.mixOrSelect;
  if (choice && !(Number.isInteger(choice.recent ?? 10) && (choice.recent ?? 10) >= 1)) {
    throw new RangeError(`Invalid mixOrSelect.recent: ${choice.recent} (expected an integer ≥ 1)`);
  }
  if (choice && !((choice.margin ?? 0.9) > 0)) {
    throw new RangeError(`Invalid mixOrSelect.margin: ${choice.margin} (expected > 0)`);
  }
  const { horizon: H, y, raw, periods, names } = prep;
  const models = candidateModels(names);
  const stepMs = options.stepMs ?? NaN;
  if (!prep.finite) {
    const cal = calibrateIntervals([], new Float64Array(H));
    const mean = new Float64Array(H).fill(NaN);
    return assembleResult(prep, {
      model: "none",
      mean,
      cal,
      weights: {},
      params: {},
      errors: [],
      backtest: none("none"),
      candidates: [],
      stepMs,
    });
  }
  const n = y.length, context = { periods, ...(options.etsWindow && { ets: options.etsWindow }) };
  // A horizon close to the history length leaves no room to backtest it: backtest fewer steps
  // and extend weights (held) and interval scale (grown, see calibrateIntervals) to H.
  const plan = backtestPlan(n, {
    horizon: H,
    origins: options.origins ?? 40,
    minTrain: Math.max(8, 2 * (periods.at(-1) ?? 0)),
  });
  const steps = plan.horizon;
  const origins = rollingOrigins(n, {
    ...plan,
    origins: options.origins ?? 40,
    step: originSpacing(n, plan, spacing),
  });
  const fits = names.map((name) => models[name](y, H, context));
  const runs = fits.map((f) => backtestFitted(f, raw, origins, steps));
  // weights and scores from the errors on the original scale, whatever the fits' scale
  const onOriginal = (r: BacktestErrors) => transformed ? backtestOnOriginal(r, transformed) : r;
  const scored = transformed ? runs.map(onOriginal) : runs;
  // accuracy on the original scale; coverage on the fits' scale, which the intervals are
  // calibrated on and mapped back from monotonically (so it is the same on both)
  const score = (name: string, run: BacktestErrors, onOrig: BacktestErrors) => {
    const s = scoreRun(name, onOrig, original.center, original.scale);
    if (!transformed) return s;
    const c = scoreRun(name, run, prep.center, prep.scale);
    return { ...s, coverage80: c.coverage80, coverage95: c.coverage95 };
  };
  const msesOf = (errors: Float64Array[][]) =>
    errors.map((e) =>
      hold(smoothedMse(recent < e.length ? e.slice(-recent) : e, steps, poolSteps), H)
    );
  const mses = msesOf(scored.map((r) => r.errors));
  const scores = runs.map((r, c) => score(names[c]!, r, scored[c]!));
  const top = options.combine ?? names.length;
  const weigh = (m: Float64Array[]) => {
    let w = combinationWeights(m, top, options.weightPower ?? 2);
    if (lambda > 0) w = shrinkWeights(w, m, lambda, ratio);
    if (cap < 1) {
      w = capWeights(w, cap, options.weightCapNearBest ? { mse: m, ratio } : undefined).weights;
    }
    return w;
  };
  let weights: Float64Array[];
  if (top >= 2 && origins.length) {
    weights = weigh(mses);
    if (
      choice &&
      selectionBeatsMix(
        scored.map((r) => r.errors),
        steps,
        choice.recent ?? 10,
        choice.margin ?? 0.9,
        (early) => {
          const mse = msesOf(early);
          return { weights: weigh(mse), mse };
        },
        poolSteps,
      )
    ) {
      for (let h = 0; h < H; h++) {
        const best = bestAt(mses, h);
        if (best >= 0) weights.forEach((w, c) => w[h] = +(c === best));
      }
    }
    const stack = (errors: Float64Array[][], current: Float64Array[], o: StackingOptions) => {
      const last = o.recentOrigins ?? recent, back = o.shrink ?? 0;
      const e = errors.map((r) => last < r.length ? r.slice(-last) : r);
      const stacked = stackWeights(e, steps, poolSteps, current);
      return current.map((w, c) =>
        hold(stacked[c]!, H).map((x, h) => (1 - back) * x + back * w[h]!)
      );
    };
    if (stacking) weights = stack(scored.map((r) => r.errors), weights, stacking);
    if (nested) {
      const rules: Combiner[] = [
        (early) => weigh(msesOf(early)),
        ...nestedVariants.map((v) => (early: Float64Array[][]) =>
          stack(early, weigh(msesOf(early)), v)
        ),
      ];
      const errors = scored.map((r) => r.errors);
      const pick = nestedCombiner(errors, origins, steps, rules, nested.origins ?? 10).choice;
      if (pick > 0) weights = stack(errors, weights, nestedVariants[pick - 1]!);
    }
  } else {
    const total = scores.map((s) => (Number.isFinite(s.mse) ? s.mse : Infinity));
    let best = names.findIndex((name) => name === "ets" || name === "ets_bagged");
    if (origins.length || best < 0) best = total.indexOf(Math.min(...total));
    weights = names.map((_, c) => new Float64Array(H).fill(+(c === best)));
  }
  const members = names.map((_, c) => c).filter((c) => weights[c]!.some((w) => w > 0));
  const model = members.length === 1 ? names[members[0]!]! : "combo";
  const mean = new Float64Array(H), sd = new Float64Array(H);
  const run = mix(runs, weights);
  if (intercept > 0 && top >= 2 && origins.length) {
    const e = run.errors,
      bias = smoothedMeanError(recent < e.length ? e.slice(-recent) : e, steps, poolSteps);
    const held = hold(bias, H);
    for (let h = 0; h < H; h++) if (held[h] === held[h]) mean[h]! += intercept * held[h]!;
  }
  if (options.mixCorrection && top >= 2 && origins.length) {
    const last = mixCorrection(fits, weights, raw, {
      ...options.mixCorrection,
      steps: Math.min(steps, periods[0] || 24),
      minTrain: plan.minTrain,
    });
    for (let h = 0; h < H; h++) mean[h]! += last[h]!;
  }
  const params: Record<string, Record<string, number | number[] | string>> = {};
  const mixWeights: Record<string, number[]> = {};
  for (const c of members) {
    const f = fits[c]!.at(n, H), w = weights[c]!;
    params[names[c]!] = fits[c]!.params, mixWeights[names[c]!] = [...w];
    for (let h = 0; h < H; h++) mean[h]! += w[h]! * f.mean[h]!, sd[h]! += w[h]! * (f.sd[h]! || 0);
  }
  const chosen = members.length === 1 ? scores[members[0]!]! : score(model, run, onOriginal(run));
  const candidates = [...scores, ...(model === "combo" ? [chosen] : [])]
    .sort((a, b) => (a.mse || Infinity) - (b.mse || Infinity));
  const result = assembleResult(prep, {
    model,
    mean,
    cal: calibrateIntervals(run.errors, sd),
    weights: mixWeights,
    params,
    errors: run.errors,
    backtest: chosen,
    candidates,
    stepMs,
  });
  // one floor for every surface: a metric never negative in its history is forecast ≥ 0
  return clipNonNegative(
    transformed
      ? backTransformResult(result, transformed, {
        name: options.transform ?? TRANSFORM,
        biasAdjust: options.biasAdjust ?? false,
        errors: onOriginal(run).errors,
      })
      : result,
    values,
  );
}
