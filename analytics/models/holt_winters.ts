/**
 * Holt-Winters (ETS with additive season) as a forecasting candidate.
 *
 * @module
 */

import { type EtsTrend, fitEts } from "../forecast/ets.ts";
import { etsForecast } from "../forecast/ets_forecast.ts";
import { etsRefilter } from "./ets_refilter.ts";
import type { FittedModel } from "./model_forecast.ts";
import { etsResiduals } from "./ets_residuals.ts";
import { type ResidualArOptions, withResidualAr } from "./residual_ar.ts";

/** Options of {@linkcode holtWinters}. */
export interface HoltWintersOptions {
  /** Seasonal period in points; < 2 for none (default 0). */
  period?: number;
  /** Trend component (default `none`). */
  trend?: EtsTrend;
  /** Initial states (see `fitEts`; default `heuristic`). */
  initial?: "heuristic" | "least_squares";
  /** Fit to the one-step error instead of the 1…horizon-step one (default false). */
  oneStep?: boolean;
  /** As `etsEnsemble`'s `errorAr`: add an AR(1) forecast of the one-step errors (default false). */
  errorAr?: boolean | ResidualArOptions;
}

// Hyndman et al. (2008), Forecasting with Exponential Smoothing: ETS(A,N,A)/(A,Ad,A), fitted to
// the mean squared error over the forecast horizon (the "amse" criterion of R's forecast::ets).
/**
 * Fits ETS once to the whole history, minimising the squared error of 1…horizon-step
 * forecasts. `at(end, h)` re-runs the filter with those parameters over `values[0, end)` and
 * forecasts h steps with analytic standard deviations. Degenerate input follows `fitEts`.
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead the loss targets.
 * @param options Period and trend.
 * @returns The fitted model.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holtWinters } from "./holt_winters.ts";
 * const y = Float64Array.from({ length: 96 }, (_, i) => Math.sin((2 * Math.PI * i) / 12));
 * const f = holtWinters(y, 12, { period: 12 }).at(96, 12);
 * assert.ok(Math.abs(f.mean[2]! - Math.sin((2 * Math.PI * 98) / 12)) < 0.05);
 * ```
 */
export function holtWinters(
  values: Float64Array,
  horizon: number,
  options: HoltWintersOptions = {},
): FittedModel {
  const model = fitEts(values, {
    trend: options.trend ?? "none",
    period: options.period ?? 0,
    lossHorizon: options.oneStep ? 1 : horizon,
    ...(options.initial && { initial: options.initial }),
  });
  const { kind: _kind, initial: _initial, ...params } = model;
  const fitted: FittedModel = {
    params,
    at(end, h) {
      const fit = end === values.length ? model : etsRefilter(model, values.subarray(0, end));
      return { ...etsForecast(fit, h), params };
    },
  };
  if (!options.errorAr) return fitted;
  return withResidualAr(fitted, etsResiduals(model, values), {
    skip: model.period,
    ...(typeof options.errorAr === "object" && options.errorAr),
  });
}
