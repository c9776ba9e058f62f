/**
 * Exponential smoothing (ETS) with additive errors: simple, Holt, damped Holt and Holt-Winters
 * additive seasonality, fitted by Nelder–Mead on the one-step or multi-step squared error.
 *
 * @module
 */

import { etsFilter, etsInitialStates } from "../models/ets_filter.ts";
import { etsLeastSquaresInitial } from "../models/ets_initial_ls.ts";
import { nelderMead } from "../models/nelder_mead.ts";

/** Trend component of an ETS model. */
export type EtsTrend = "none" | "additive" | "damped";

/** Options of {@linkcode fitEts}. */
export interface EtsOptions {
  /** Trend: `none` (ETS(A,N,·)), `additive` (A,A,·) or `damped` (A,Ad,·) (default `damped`). */
  trend?: EtsTrend;
  /** Seasonal period in points; 0 or 1 for none (default 0). Needs two full cycles. */
  period?: number;
  /**
   * Fit to the mean squared error of forecasts 1…lossHorizon steps ahead (steps 1, 2, 4, …,
   * lossHorizon, from every `lossStride`-th origin) instead of one step ahead (default 1).
   */
  lossHorizon?: number;
  /** Spacing of forecast origins in the multi-step loss (default max(4, ⌈lossHorizon / 8⌉)). */
  lossStride?: number;
  /** Maximum objective evaluations of the optimiser (default 100). */
  maxEvaluations?: number;
  /**
   * Initial states: `heuristic` (a line and mean seasonal deviations over the first 4 cycles) or
   * `least_squares` (those minimising the one-step squared errors for the fitted parameters, as
   * maximum likelihood estimates them; the parameters are then refitted from them once)
   * (default `heuristic`).
   */
  initial?: "heuristic" | "least_squares";
}

/** A fitted ETS model: plain data, safe to `JSON.stringify`. */
export interface EtsModel {
  /** Model family tag. */
  kind: "ets";
  /** Trend component. */
  trend: EtsTrend;
  /** Seasonal period (0 for none). */
  period: number;
  /** Level smoothing, in (0, 1). */
  alpha: number;
  /** Trend smoothing, in (0, alpha) (0 without trend). */
  beta: number;
  /** Seasonal smoothing, in (0, 1 − alpha) (0 without season). */
  gamma: number;
  /** Damping, in [0.8, 0.98] when damped, 1 for an undamped trend, 0 without trend. */
  phi: number;
  /** Final level. */
  level: number;
  /** Final slope. */
  slope: number;
  /** Final seasonal states; `season[(h − 1) % period]` applies h steps ahead. */
  season: number[];
  /** Variance of the one-step errors (SSE / (n − parameters)). */
  sigma2: number;
  /** Observations used (finite values). */
  n: number;
  /** States before the first observation (seasonal ones by phase `t mod period`). */
  initial: { level: number; slope: number; season: number[] };
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

// Hyndman et al. (2008), ch. 3 and 5: ETS(A,Ad,A) state space model, least squares estimation.
/**
 * Fits an additive-error ETS model. Missing values (`NaN`) are skipped by the filter (the state
 * moves on with a zero error). Fewer than two cycles drop the season; fewer than 3 finite points
 * give a flat model at their mean (0 when there are none, `sigma2` 0).
 *
 * @param values The series.
 * @param options Trend, seasonal period, loss, optimiser budget.
 * @returns The fitted model.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitEts } from "./ets.ts";
 * const m = fitEts(Float64Array.from({ length: 50 }, (_, i) => 2 * i), { trend: "additive" });
 * assert.ok(Math.abs(m.slope - 2) < 0.1);
 * ```
 */
export function fitEts(values: Float64Array, options: EtsOptions = {}): EtsModel {
  let finite = 0, mean = 0;
  for (const v of values) if (Number.isFinite(v)) finite++, mean += (v - mean) / finite;
  const m0 = Math.round(options.period ?? 0);
  const m = m0 > 1 && values.length >= 2 * m0 && finite >= m0 + 3 ? m0 : 0;
  const trend: EtsTrend = finite < 4 ? "none" : options.trend ?? "damped";
  const hasTrend = trend !== "none", damped = trend === "damped";
  let init = etsInitialStates(values, m, hasTrend);
  const st = { level: 0, slope: 0, season: new Float64Array(Math.max(1, m)) };
  const decode = (u: Float64Array) => {
    const alpha = 0.0001 + 0.9998 * sigmoid(u[0]!);
    return {
      alpha,
      beta: hasTrend ? alpha * sigmoid(u[1]!) : 0,
      gamma: m > 1 ? (1 - alpha) * sigmoid(u[hasTrend ? 2 : 1]!) : 0,
      phi: damped ? 0.8 + 0.18 * sigmoid(u[u.length - 1]!) : hasTrend ? 1 : 0,
      period: m,
    };
  };
  const x0 = [logit(0.3)];
  if (hasTrend) x0.push(logit(0.1));
  if (m > 1) x0.push(logit(0.1));
  if (damped) x0.push(logit(0.8));
  let best = decode(Float64Array.from(x0));
  if (finite >= 3) {
    const lossHorizon = Math.max(1, Math.min(Math.round(options.lossHorizon ?? 1), finite >> 1));
    const steps: number[] = [];
    for (let h = 1; h < lossHorizon; h *= 2) steps.push(h);
    steps.push(lossHorizon);
    const multi = lossHorizon > 1 ? Int32Array.from(steps) : undefined;
    const stride = options.lossStride ?? Math.max(4, Math.ceil(lossHorizon / 8));
    const fit = (start: Float64Array) =>
      nelderMead(
        (u) => etsFilter(values, decode(u), init, st, multi, stride),
        start,
        { maxEvaluations: options.maxEvaluations ?? 100, tolerance: 1e-5 },
      ).x;
    let x = fit(Float64Array.from(x0));
    best = decode(x);
    if (options.initial === "least_squares") {
      init = etsLeastSquaresInitial(values, best, hasTrend, init);
      x = fit(x);
      best = decode(x);
      init = etsLeastSquaresInitial(values, best, hasTrend, init);
    }
  }
  const sse = etsFilter(values, best, init, st);
  const k = x0.length + 1 + (hasTrend ? 1 : 0) + (m > 1 ? m - 1 : 0);
  const season: number[] = [];
  for (let h = 0; h < m; h++) season.push(st.season[(values.length + h) % m]!);
  const initial = { level: init.level, slope: init.slope, season: m > 1 ? [...init.season] : [] };
  const flat = finite < 3;
  return {
    kind: "ets",
    trend,
    period: flat ? 0 : m,
    alpha: best.alpha,
    beta: flat ? 0 : best.beta,
    gamma: flat ? 0 : best.gamma,
    phi: flat ? 0 : best.phi,
    level: flat ? mean : st.level,
    slope: flat ? 0 : st.slope,
    season: flat ? [] : season,
    sigma2: flat ? 0 : sse / Math.max(1, finite - k),
    n: finite,
    initial,
  };
}
