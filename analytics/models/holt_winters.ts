/**
 * Holt-Winters (ETS with additive season) as a forecasting candidate.
 *
 * @module
 */

import { type EtsTrend, fitEts } from "../ets.ts";
import { etsForecast } from "../ets_forecast.ts";
import type { ModelForecast } from "./model_forecast.ts";

/** Options of {@linkcode holtWinters}. */
export interface HoltWintersOptions {
  /** Seasonal period in points; < 2 for none (default 0). */
  period?: number;
  /** Trend component (default `none`). */
  trend?: EtsTrend;
}

// Hyndman et al. (2008), Forecasting with Exponential Smoothing: ETS(A,N,A)/(A,Ad,A), fitted to
// the mean squared error over the forecast horizon (the "amse" criterion of R's forecast::ets).
/**
 * Fits ETS to the history, minimising the squared error of 1…horizon-step forecasts, and
 * forecasts `horizon` steps. Degenerate input follows `fitEts`.
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead.
 * @param options Period and trend.
 * @returns Means, analytic standard deviations, fitted ETS parameters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holtWinters } from "./holt_winters.ts";
 * const y = Float64Array.from({ length: 96 }, (_, i) => Math.sin((2 * Math.PI * i) / 12));
 * const f = holtWinters(y, 12, { period: 12 });
 * assert.ok(Math.abs(f.mean[2]! - Math.sin((2 * Math.PI * 98) / 12)) < 0.05);
 * ```
 */
export function holtWinters(
  values: Float64Array,
  horizon: number,
  options: HoltWintersOptions = {},
): ModelForecast {
  const model = fitEts(values, {
    trend: options.trend ?? "none",
    period: options.period ?? 0,
    lossHorizon: horizon,
  });
  const { mean, sd } = etsForecast(model, horizon);
  const { kind: _kind, season: _season, ...params } = model;
  return { mean, sd, params: { ...params, season: model.season } };
}
