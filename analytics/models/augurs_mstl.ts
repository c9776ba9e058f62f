/**
 * augurs' MSTL + AutoETS as a forecasting candidate (for comparison with our kernels).
 *
 * @module
 */

import { fitEts } from "../forecast/ets.ts";
import { etsForecast } from "../forecast/ets_forecast.ts";
import { augursMstlClass } from "./_augurs.ts";
import type { ModelForecast } from "./model_forecast.ts";

/**
 * Fits augurs' `MSTL.ets(periods)` and forecasts with its 95 % interval, from which the analytic
 * standard deviation is derived (half-width / 1.96). augurs' STL refuses an empty list of
 * periods, so without a period that fits twice into the history the forecast is our damped
 * ETS instead (parameters `{ periods: [], fallback: "ets_damped" }`).
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead.
 * @param periods Seasonal periods in points.
 * @returns Means, standard deviations, parameters.
 * @throws {Error} When augurs rejects the input.
 */
export function augursMstl(
  values: Float64Array,
  horizon: number,
  periods: number[],
): ModelForecast {
  const fitting = periods.filter((p) => 2 * p <= values.length);
  if (!fitting.length) {
    const f = etsForecast(fitEts(values, { trend: "damped", lossHorizon: horizon }), horizon);
    return { ...f, params: { periods: [], fallback: "ets_damped" } };
  }
  const Mstl = augursMstlClass();
  const model = Mstl.ets(fitting);
  try {
    model.fit(values);
    const f = model.predict(horizon, 0.95);
    const mean = Float64Array.from(f.point);
    const sd = new Float64Array(horizon).fill(NaN);
    if (f.intervals) {
      for (let h = 0; h < horizon; h++) sd[h] = (f.intervals.upper[h]! - mean[h]!) / 1.959964;
    }
    return { mean, sd, params: { periods } };
  } finally {
    model.free();
  }
}
