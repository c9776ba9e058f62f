/**
 * Exponential smoothing (ETS) with additive errors: simple, Holt, damped Holt and Holt-Winters
 * additive seasonality, fitted by Nelder–Mead on the one-step squared error.
 *
 * @module
 */

import { nelderMead } from "./models/nelder_mead.ts";

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
  /** Spacing of forecast origins in the multi-step loss (default ⌈lossHorizon / 8⌉). */
  lossStride?: number;
  /** Maximum objective evaluations of the optimiser (default 300). */
  maxEvaluations?: number;
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
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

interface Init {
  level: number;
  slope: number;
  season: Float64Array;
}

// Hyndman, Koehler, Ord & Snyder (2008), Forecasting with Exponential Smoothing, §2.6: heuristic
// initial states from a linear fit and mean seasonal deviations over the first cycles.
function initialStates(y: Float64Array, m: number, trend: boolean): Init {
  const cycles = m > 1 ? Math.max(1, Math.min(4, Math.floor(y.length / m))) : 1;
  const len = m > 1 ? cycles * m : Math.min(y.length, 12);
  let sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
  for (let i = 0; i < len; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) continue;
    sx += i, sy += v, sxx += i * i, sxy += i * v, k++;
  }
  const slope = trend && k > 1 && k * sxx - sx * sx > 0
    ? (k * sxy - sx * sy) / (k * sxx - sx * sx)
    : 0;
  const level = k > 0 ? (sy - slope * sx) / k : 0;
  const season = new Float64Array(Math.max(1, m));
  if (m > 1) {
    const counts = new Float64Array(m);
    for (let i = 0; i < len; i++) {
      const v = y[i]!;
      if (Number.isFinite(v)) {
        (season[i % m] = season[i % m]! + v - level - slope * i,
          counts[i % m] = counts[i % m]! + 1);
      }
    }
    let mean = 0;
    for (let j = 0; j < m; j++) {
      (season[j] = counts[j]! ? season[j]! / counts[j]! : 0, mean += season[j]! / m);
    }
    for (let j = 0; j < m; j++) season[j] = season[j]! - mean;
  }
  return { level: level - slope, slope, season };
}

/** Runs the filter; returns SSE and leaves final states in `st`. */
function filter(
  y: Float64Array,
  a: number,
  b: number,
  g: number,
  phi: number,
  m: number,
  init: Init,
  st: { level: number; slope: number; season: Float64Array },
  steps?: Int32Array,
  stride = 1,
): number {
  let l = init.level, s = init.slope, sse = 0, loss = 0, count = 0;
  const phiSums = new Float64Array(steps?.length ?? 0);
  for (let k = 0; k < phiSums.length; k++) {
    let pw = 1;
    for (let h = 1; h <= steps![k]!; h++) (pw *= phi, phiSums[k] = phiSums[k]! + pw);
  }
  const season = st.season;
  season.set(init.season);
  const seasonal = m > 1;
  for (let t = 0; t < y.length; t++) {
    const j = seasonal ? t % m : 0;
    const sj = seasonal ? season[j]! : 0;
    const pred = l + phi * s + sj;
    const v = y[t]!;
    const e = Number.isFinite(v) ? v - pred : 0;
    sse += e * e;
    const lNew = l + phi * s + a * e;
    s = phi * s + b * e;
    l = lNew;
    if (seasonal) season[j] = sj + g * e;
    if (steps && t % stride === 0) {
      for (let k = 0; k < steps.length; k++) {
        const h = steps[k]!, target = y[t + h];
        if (target === undefined || !Number.isFinite(target)) continue;
        const f = l + phiSums[k]! * s + (seasonal ? season[(t + h) % m]! : 0);
        loss += (target - f) ** 2, count++;
      }
    }
  }
  st.level = l, st.slope = s;
  return steps ? (count ? loss / count : 0) : sse;
}

// Hyndman et al. (2008), ch. 3: ETS(A,Ad,A) state space recursions, least squares estimation.
/**
 * Fits an additive-error ETS model. Missing values (`NaN`) are skipped by the filter (the state
 * moves on with a zero error). Fewer than two cycles drop the season; fewer than 3 finite points
 * give a flat model at their mean (0 when there are none, `sigma2` 0).
 *
 * @param values The series.
 * @param options Trend, seasonal period, optimiser budget.
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
  let finite = 0;
  for (const v of values) if (Number.isFinite(v)) finite++;
  const wantTrend = options.trend ?? "damped";
  const m0 = Math.round(options.period ?? 0);
  const m = m0 > 1 && values.length >= 2 * m0 && finite >= m0 + 3 ? m0 : 0;
  const trend: EtsTrend = finite < 4 ? "none" : wantTrend;
  const hasTrend = trend !== "none", damped = trend === "damped";
  const init = initialStates(values, m, hasTrend);
  const st = { level: 0, slope: 0, season: new Float64Array(Math.max(1, m)) };
  const decode = (u: Float64Array) => {
    const a = 0.0001 + 0.9998 * sigmoid(u[0]!);
    const b = hasTrend ? a * sigmoid(u[1]!) : 0;
    const g = m > 1 ? (1 - a) * sigmoid(u[hasTrend ? 2 : 1]!) : 0;
    const phi = damped ? 0.8 + 0.18 * sigmoid(u[u.length - 1]!) : hasTrend ? 1 : 0;
    return [a, b, g, phi] as const;
  };
  const x0 = [logit(0.3)];
  if (hasTrend) x0.push(logit(0.1));
  if (m > 1) x0.push(logit(0.1));
  if (damped) x0.push(logit(0.8));
  let best: readonly [number, number, number, number] = decode(Float64Array.from(x0));
  if (finite >= 3) {
    const lossHorizon = Math.max(1, Math.min(Math.round(options.lossHorizon ?? 1), finite >> 1));
    const steps: number[] = [];
    for (let h = 1; h < lossHorizon; h *= 2) steps.push(h);
    steps.push(lossHorizon);
    const multi = lossHorizon > 1 ? Int32Array.from(steps) : undefined;
    const stride = options.lossStride ?? Math.ceil(lossHorizon / 8);
    const r = nelderMead(
      (u) => {
        const [a, b, g, phi] = decode(u);
        return filter(values, a, b, g, phi, m, init, st, multi, stride);
      },
      Float64Array.from(x0),
      { maxEvaluations: options.maxEvaluations ?? 300, tolerance: 1e-7 },
    );
    best = decode(r.x);
  }
  const [alpha, beta, gamma, phi] = best;
  const sse = filter(values, alpha, beta, gamma, phi, m, init, st);
  const k = x0.length + 1 + (hasTrend ? 1 : 0) + (m > 1 ? m - 1 : 0);
  const season: number[] = [];
  for (let h = 0; h < m; h++) season.push(st.season[(values.length + h) % m]!);
  if (finite < 3) {
    let mean = 0;
    for (const v of values) if (Number.isFinite(v)) mean += v / finite;
    return {
      kind: "ets",
      trend,
      period: 0,
      alpha,
      beta: 0,
      gamma: 0,
      phi: 0,
      level: finite ? mean : 0,
      slope: 0,
      season: [],
      sigma2: 0,
      n: finite,
    };
  }
  return {
    kind: "ets",
    trend,
    period: m,
    alpha,
    beta,
    gamma,
    phi,
    level: st.level,
    slope: st.slope,
    season,
    sigma2: sse / Math.max(1, finite - k),
    n: finite,
  };
}
