/**
 * The variance-stabilising wrap of `forecast()` (option `transform`): the pool is fitted on the
 * Box-Cox (or log, or for a ratio in [0, 1] the shifted logit) transformed history, its backtest errors are mapped back to the original scale
 * for the weights and scores, and the forecast and intervals are mapped back at the end.
 *
 * @module
 */

import type { BacktestErrors } from "./backtest.ts";
import { boxCox, guerreroLambda, invBoxCox, invBoxCoxMean } from "./box_cox.ts";
import { invLogitRatio, LOGIT_EPSILON, logitRatio } from "./logit_ratio.ts";
import { type Prepared, prepareForecast, type PrepareOptions } from "./forecast_prepare.ts";
import type { ForecastResult } from "./forecast_result.ts";

/** Transforms `forecast()` can wrap its pool in. */
export type TransformName = "none" | "log" | "boxcox" | "logit";

/** A history prepared on the transformed scale, beside its original preparation. */
export interface Transformed {
  /** λ of the Box-Cox transform (0: log; `NaN` for the logit). */
  lambda: number;
  /** The inverse transform (increasing): a transformed value back to the original scale. */
  inverse: (w: number) => number;
  /** The history prepared on its original scale (what the backtest errors are mapped back to). */
  original: Prepared;
  /** The transformed history, prepared with the original's periods. */
  prep: Prepared;
}

/** Subseries length of Guerrero's method when no period is detected. */
export const GUERRERO_DEFAULT_PERIOD = 24;

/**
 * Prepares the transformed history when `name` asks for one and it applies. `log` and `boxcox`:
 * every finite value > 0, and (for `boxcox`) a λ below 1, chosen by Guerrero's method on the
 * shortest detected period (else {@linkcode GUERRERO_DEFAULT_PERIOD} points) in
 * [`lambdaMin`, 1]. `logit` (a ratio): every finite value in [0, 1], transformed by
 * `logitRatio` (shift `LOGIT_EPSILON`). The periods are those detected on the original scale, so
 * that the transform does not change the candidates.
 *
 * @param values The history (`NaN` for missing).
 * @param original Its preparation on the original scale.
 * @param name The transform asked for.
 * @param options The options the original was prepared with, and `lambdaMin` (default 0).
 * @returns The transformed preparation, or `undefined` where the transform does not apply.
 * @throws {RangeError} If `name` is not a {@linkcode TransformName} or `lambdaMin` is outside
 * [0, 1].
 */
export function prepareTransform(
  values: Float64Array,
  original: Prepared,
  name: TransformName,
  options: PrepareOptions & { lambdaMin?: number | undefined },
): Transformed | undefined {
  if (name !== "none" && name !== "log" && name !== "boxcox" && name !== "logit") {
    throw new RangeError(`Invalid transform: ${name} (expected none, log, boxcox or logit)`);
  }
  const lambdaMin = options.lambdaMin ?? 0;
  if (!(lambdaMin >= 0 && lambdaMin <= 1)) {
    throw new RangeError(`Invalid lambdaMin: ${lambdaMin} (expected [0, 1])`);
  }
  if (name === "none" || !original.finite) return undefined;
  const season = original.periods.length ? original.periods : 0;
  if (name === "logit") {
    for (const v of values) if (v < 0 || v > 1) return undefined;
    const prep = prepareForecast(logitRatio(values), { ...options, season });
    const inverse = (w: number) => invLogitRatio(w, LOGIT_EPSILON);
    return { lambda: NaN, inverse, original, prep };
  }
  for (const v of values) if (v <= 0) return undefined;
  const lambda = name === "log" ? 0 : guerreroLambda(
    values,
    original.periods[0] ?? GUERRERO_DEFAULT_PERIOD,
    { lower: lambdaMin },
  );
  if (lambda >= 1) return undefined;
  const prep = prepareForecast(boxCox(values, lambda), { ...options, season });
  return { lambda, inverse: (w) => invBoxCox(w, lambda), original, prep };
}

/**
 * A backtest on the transformed (scaled) scale mapped back to the original (scaled) scale: each
 * forecast is back-transformed (the median) and scored against the original actual. Analytic
 * standard deviations are dropped (0): they are not on the original scale.
 *
 * @param run Backtest errors on the transformed scale.
 * @param t The transformed preparation.
 * @returns The errors on the original scale, in the original preparation's scaled units.
 */
export function backtestOnOriginal(run: BacktestErrors, t: Transformed): BacktestErrors {
  const { prep, original, inverse } = t;
  const errors: Float64Array[] = [], actuals: Float64Array[] = [];
  run.errors.forEach((row, r) => {
    const o = run.origins[r]!, at = run.actuals[r]!;
    const e = new Float64Array(row.length), a = original.raw.slice(o, o + row.length);
    for (let h = 0; h < row.length; h++) {
      const f = inverse(prep.center + prep.scale * (at[h]! - row[h]!));
      e[h] = a[h]! - (f - original.center) / original.scale;
    }
    errors.push(e), actuals.push(a);
  });
  const sd = run.sd.map((row) => new Float64Array(row.length));
  return { origins: [...run.origins], errors, actuals, sd };
}

/** What {@linkcode backTransformResult} maps back with. */
export interface BackTransformOptions {
  /** The transform. */
  name: TransformName;
  /** Mean instead of median (Box-Cox and log only; the logit gives the median). */
  biasAdjust: boolean;
  /** The mix's backtest errors on the original (scaled) scale, for `fitted.residuals`. */
  errors: Float64Array[];
}

/**
 * Maps a result assembled on the transformed scale back: interval bounds by the inverse
 * transform (monotone, so they stay bounds), the point forecast as the median or, with
 * `biasAdjust`, the mean, with the step's variance the square of the interval calibration's
 * scale there (the root of the smoothed backtest MSE of the mix on the transformed scale, grown
 * past the backtested steps). `fitted` records the transform; its `center`, `scale` and
 * `intervals` stay on the transformed scale, its `residuals` are the original scale's.
 *
 * @param r The result on the transformed scale.
 * @param t The transformed preparation.
 * @param options The transform, the back-transform, the original-scale errors.
 * @returns The result on the original scale.
 */
export function backTransformResult(
  r: ForecastResult,
  t: Transformed,
  options: BackTransformOptions,
): ForecastResult {
  const { name } = options, unit = t.original.scale;
  const biasAdjust = options.biasAdjust && name !== "logit";
  let mean0 = 0, m2 = 0, count = 0;
  for (const row of options.errors) {
    for (const e of row) {
      if (e !== e) continue;
      const d = e - mean0; // Welford
      count++, mean0 += d / count, m2 += d * (e - mean0);
    }
  }
  const inv = t.inverse;
  const scale = r.fitted.intervals.scale;
  const mean = r.mean.map((w, h) =>
    biasAdjust ? invBoxCoxMean(w, t.lambda, (scale[h] ?? 0) ** 2) : inv(w)
  );
  return {
    ...r,
    mean,
    lo80: r.lo80.map(inv),
    hi80: r.hi80.map(inv),
    lo95: r.lo95.map(inv),
    hi95: r.hi95.map(inv),
    fitted: {
      ...r.fitted,
      residuals: {
        mean: count ? mean0 * unit : NaN,
        sd: count > 1 ? Math.sqrt(m2 / (count - 1)) * unit : NaN,
        count,
      },
      transform: {
        name,
        lambda: t.lambda,
        biasAdjust,
        ...(name === "logit" && { epsilon: LOGIT_EPSILON }),
      },
    },
  };
}
