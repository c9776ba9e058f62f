/**
 * Point forecasts and analytic prediction variances of a fitted ETS model.
 *
 * @module
 */

import type { EtsModel } from "./ets.ts";

/** Forecast of {@linkcode etsForecast}. */
export interface EtsForecast {
  /** Point forecasts, steps 1…horizon. */
  mean: Float64Array;
  /** Analytic standard deviation of the h-step error. */
  sd: Float64Array;
}

// Hyndman, Koehler, Ord & Snyder (2008), Forecasting with Exponential Smoothing, Table 6.1
// (class 1): v_h = σ²[1 + Σ_{j<h} c_j²], c_j = α + βφ_j + γ·[j mod m = 0], φ_j = φ + … + φ^j.
/**
 * Forecasts `horizon` steps ahead from the final state of a fitted ETS model. A horizon of 0
 * gives empty arrays.
 *
 * @param model A model from `fitEts`.
 * @param horizon Steps ahead (≥ 0).
 * @returns Means and standard deviations per step.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitEts } from "./ets.ts";
 * import { etsForecast } from "./ets_forecast.ts";
 * const f = etsForecast(fitEts(Float64Array.from({ length: 40 }, (_, i) => i), { trend: "additive" }), 2);
 * assert.ok(Math.abs(f.mean[1]! - 41) < 0.5 && f.sd[1]! >= f.sd[0]!);
 * ```
 */
export function etsForecast(model: EtsModel, horizon: number): EtsForecast {
  const mean = new Float64Array(horizon), sd = new Float64Array(horizon);
  const m = model.period;
  let phiSum = 0, phiPow = 1, cum = 0;
  for (let h = 1; h <= horizon; h++) {
    phiPow *= model.phi;
    phiSum += phiPow;
    const s = m > 1 ? model.season[(h - 1) % m]! : 0;
    mean[h - 1] = model.level + (model.trend === "additive" ? h : phiSum) * model.slope + s;
    sd[h - 1] = Math.sqrt(model.sigma2 * (1 + cum));
    const c = model.alpha + model.beta * (model.trend === "additive" ? h : phiSum) +
      (m > 1 && h % m === 0 ? model.gamma : 0);
    cum += c * c;
  }
  return { mean, sd };
}
