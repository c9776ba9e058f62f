/**
 * The airline model, ARIMA(0,1,1)(0,1,1)ₘ, as a forecasting candidate.
 *
 * @module
 */

import type { FittedModel, ModelContext, ModelForecast } from "./model_forecast.ts";
import { nelderMead } from "./nelder_mead.ts";

/** Options of {@linkcode airline}. */
export interface AirlineOptions {
  /** Points fitted, the most recent (default max(2,016, 4 periods), as the ETS candidates). */
  window?: number;
}

// Box, Jenkins & Reinsel, Time Series Analysis (4th ed.), ch. 9: the model
//   (1 − B)(1 − Bᵐ) y_t = (1 − θB)(1 − ΘBᵐ) e_t,
// one regular and one seasonal difference with one moving-average term each. It differs from
// the pool's ETS(A,N,A) in carrying a local slope (the double difference) and in fitting its two
// smoothing weights to the one-step error jointly; the fit is conditional least squares with the
// errors before the window taken as 0 (CSS), the usual first stage of an ARIMA fit.
const BOUND = 0.98;

/**
 * Fits the airline model on the shortest period (ARIMA(0,1,1) without one, or when the history
 * is under 3 periods + 2 points) by conditional sum of squares over the last `window` points,
 * θ and Θ kept inside ±0.98 so the model stays invertible. Forecasts from any earlier origin
 * re-run the error filter over the `window` points before it with the fitted θ and Θ. Fewer
 * than 3 points give the last value (no spread).
 *
 * @param values Gap-free history.
 * @param _horizon Steps ahead (unused: the fit targets the one-step error).
 * @param context Seasonal periods, shortest first.
 * @param options The fitted window.
 * @returns The fitted model.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { airline } from "./airline.ts";
 * // a line plus a repeating pattern is forecast exactly
 * const y = Float64Array.from({ length: 100 }, (_, t) => 0.5 * t + [3, 1, 4, 1][t % 4]!);
 * const f = airline(y, 4, { periods: [4] }).at(100, 4);
 * assert.deepEqual([...f.mean].map((v) => Math.round(v * 1e6) / 1e6), [53, 51.5, 55, 52.5]);
 * ```
 */
export function airline(
  values: Float64Array,
  _horizon: number,
  context: ModelContext,
  options: AirlineOptions = {},
): FittedModel {
  const n = values.length, per = context.periods[0] ?? 0;
  const m = per >= 2 && n >= 3 * per + 2 ? per : 0;
  const window = Math.max(2 * m + 4, Math.round(options.window ?? Math.max(2016, 4 * m)));
  // the differenced series w_t = (1 − B)(1 − Bᵐ) y_t, defined from t = m + 1 (t = 1 without m)
  const first = m ? m + 1 : 1;
  const w = new Float64Array(n);
  for (let t = first; t < n; t++) {
    w[t] = values[t]! - values[t - 1]! - (m ? values[t - m]! - values[t - m - 1]! : 0);
  }
  const e = new Float64Array(n);
  /** Runs the error filter over [from, end) and returns the sum of squared errors. */
  const filter = (theta: number, seasonal: number, from: number, end: number) => {
    let sse = 0;
    for (let t = from; t < end; t++) {
      const back = (k: number) => (t - k >= from ? e[t - k]! : 0);
      const v = w[t]! + theta * back(1) +
        (m ? seasonal * back(m) - theta * seasonal * back(m + 1) : 0);
      e[t] = v;
      sse += v * v;
    }
    return sse;
  };
  const start = (end: number) => Math.max(first, end - window);
  let theta = 0, seasonal = 0, sigma2 = 0;
  const from = start(n);
  if (n - from >= 2 * (m + 1) + 2) {
    const objective = (x: Float64Array) =>
      Math.abs(x[0]!) > BOUND || Math.abs(x[1]!) > BOUND ? Infinity : filter(x[0]!, x[1]!, from, n);
    const best = nelderMead(objective, Float64Array.of(0.3, m ? 0.6 : 0), {
      maxEvaluations: m ? 300 : 150,
    });
    theta = best.x[0]!, seasonal = m ? best.x[1]! : 0;
    sigma2 = filter(theta, seasonal, from, n) / Math.max(1, n - from - 2);
  }
  const params = { period: m, theta, seasonalTheta: seasonal, sigma2 };
  function at(end: number, horizon: number): ModelForecast {
    const mean = new Float64Array(horizon), sd = new Float64Array(horizon);
    if (end < 3 || end < first + 1) {
      mean.fill(end ? values[end - 1]! : NaN);
      return { mean, sd, params };
    }
    const from = start(end);
    filter(theta, seasonal, from, end);
    // the recursion with future errors 0: y_{T+h} = y_{T+h−1} + y_{T+h−m} − y_{T+h−m−1} + ŵ_{T+h}
    const y = (t: number) => (t < end ? values[t]! : mean[t - end]!);
    const err = (t: number) => (t < end && t >= from ? e[t]! : 0);
    const psi = psiWeights(horizon, theta, seasonal, m);
    let v = 0;
    for (let h = 0; h < horizon; h++) {
      const t = end + h;
      const wHat = -theta * err(t - 1) -
        (m ? seasonal * err(t - m) - theta * seasonal * err(t - m - 1) : 0);
      mean[h] = y(t - 1) + (m ? y(t - m) - y(t - m - 1) : 0) + wHat;
      v += psi[h]! * psi[h]!;
      sd[h] = Math.sqrt(sigma2 * v);
    }
    return { mean, sd, params };
  }
  return { params, at };
}

/**
 * The model's first `k` ψ-weights (its moving-average form): ψ_j = c_j + ψ_{j−1} + ψ_{j−m} −
 * ψ_{j−m−1}, the AR side being (1 − B)(1 − Bᵐ) and c the MA coefficients (1, −θ at lag 1, −Θ at
 * m, θΘ at m + 1).
 */
function psiWeights(k: number, theta: number, seasonal: number, m: number): Float64Array {
  const psi = new Float64Array(k);
  const at = (i: number) => (i < 0 ? 0 : psi[i]!);
  for (let j = 0; j < k; j++) {
    let c = j === 0 ? 1 : 0;
    if (j === 1) c -= theta;
    if (m && j === m) c -= seasonal;
    if (m && j === m + 1) c += theta * seasonal;
    psi[j] = c + at(j - 1) + (m ? at(j - m) - at(j - m - 1) : 0);
  }
  return psi;
}
