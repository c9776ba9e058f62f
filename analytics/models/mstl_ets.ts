/**
 * MSTL + ETS: forecast the seasonally adjusted series with ETS and add back the last cycle of
 * each seasonal component.
 *
 * @module
 */

import { decompose } from "../forecast/decompose.ts";
import { type EtsTrend, fitEts } from "../forecast/ets.ts";
import { etsForecast } from "../forecast/ets_forecast.ts";
import type { ModelForecast } from "./model_forecast.ts";

/** Options of {@linkcode mstlEts}. */
export interface MstlEtsOptions {
  /** Seasonal periods in points (default none: plain ETS on the series). */
  periods?: number[];
  /** Trend of the ETS model on the adjusted series (default `damped`). */
  trend?: EtsTrend;
}

// Bandara, Hyndman & Bergmeir (2021), MSTL, §4 (forecasting: ETS on the seasonally adjusted
// series plus seasonal naive of each seasonal component); Hyndman et al. (2008) for ETS.
/**
 * Decomposes with MSTL (robust), fits ETS to `values − Σ seasonal` minimising the error over the
 * horizon, and adds the last cycle of each seasonal component. The spread is that of the ETS
 * model (seasonal components are treated as known).
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead.
 * @param options Periods and trend.
 * @returns Means, analytic standard deviations, parameters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mstlEts } from "./mstl_ets.ts";
 * const y = Float64Array.from({ length: 96 }, (_, i) => 3 + Math.sin((2 * Math.PI * i) / 12));
 * const f = mstlEts(y, 12, { periods: [12] });
 * assert.ok(Math.abs(f.mean[2]! - 3 - Math.sin((2 * Math.PI * 98) / 12)) < 0.1);
 * ```
 */
export function mstlEts(
  values: Float64Array,
  horizon: number,
  options: MstlEtsOptions = {},
): ModelForecast {
  const n = values.length;
  const d = decompose(values, { periods: options.periods ?? [] });
  const adjusted = Float64Array.from(values);
  for (const s of d.seasonal) for (let i = 0; i < n; i++) adjusted[i] = adjusted[i]! - s.values[i]!;
  const model = fitEts(adjusted, { trend: options.trend ?? "damped", lossHorizon: horizon });
  const { mean, sd } = etsForecast(model, horizon);
  for (const s of d.seasonal) {
    for (let h = 0; h < horizon; h++) mean[h] = mean[h]! + s.values[n - s.period + (h % s.period)]!;
  }
  return {
    mean,
    sd,
    params: {
      periods: d.seasonal.map((s) => s.period),
      strengths: d.seasonal.map((s) => s.strength),
      trend: model.trend,
      alpha: model.alpha,
      beta: model.beta,
      phi: model.phi,
      level: model.level,
      slope: model.slope,
      sigma2: model.sigma2,
    },
  };
}
