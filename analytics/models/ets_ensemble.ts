/**
 * ETS(A,N,A) with several parameter sets averaged: fitted on several lengths of recent history,
 * or on moving-block bootstraps of the series' STL remainder.
 *
 * @module
 */

import { type EtsModel, fitEts } from "../forecast/ets.ts";
import { etsForecast } from "../forecast/ets_forecast.ts";
import { etsInitialStates } from "./ets_filter.ts";
import { etsRefilter } from "./ets_refilter.ts";
import type { FittedModel, ModelForecast } from "./model_forecast.ts";
import { type ResidualArOptions, withResidualAr } from "./residual_ar.ts";
import { etsResiduals } from "./ets_residuals.ts";
import { stl } from "./stl.ts";

/** Options of {@linkcode etsEnsemble}. */
export interface EtsEnsembleOptions {
  /** Seasonal period in points; < 2 for none (default 0). */
  period?: number;
  /**
   * Where the parameter sets come from: `windows` (the last ¼, ½ and all of the history, each at
   * least 4 periods) or `bagged` (`bootstraps` series: STL trend + season + a moving-block
   * bootstrap of the remainder in blocks of 2 periods) (default `windows`).
   */
  source?: "windows" | "bagged";
  /**
   * Points of history `bagged` bootstraps and fits, the most recent: max(`history`, 4 periods)
   * (default 2,016, as `directLinear`), so that its cost stays flat on long histories; every
   * parameter set still filters the whole history (origins in the window resume from its states
   * at the window's start, which are the same).
   */
  history?: number;
  /** Bootstrap series for `bagged` (default 8). */
  bootstraps?: number;
  /** Seed of the bootstrap's generator (default 1). */
  seed?: number;
  /**
   * Add an AR(1) forecast of the one-step errors (φ^k·e_T; see `withResidualAr`), φ fitted at
   * each origin on the errors before it, after the first cycle (default false: none).
   */
  errorAr?: boolean | ResidualArOptions;
}

/** Deterministic uniform [0, 1) generator (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Points the bagged fits read: max(`history`, 4 periods). */
function window(o: EtsEnsembleOptions, m: number): number {
  return Math.max(Math.round(o.history ?? 2016), 4 * m);
}

/**
 * The series `etsEnsemble` fits its parameter sets to: for `bagged`, the original then
 * `bootstraps − 1` moving-block bootstraps of its STL remainder (the original alone without two
 * cycles of `m`); for `windows`, the last ¼, ½ and all of it. Exported so that other bagged
 * models resample exactly as `ets_bagged` does.
 */
export function ensembleSources(
  values: Float64Array,
  m: number,
  o: EtsEnsembleOptions,
): Float64Array[] {
  const n = values.length, min = Math.max(4 * m, 16);
  if (o.source === "bagged") {
    if (m < 2 || n < 2 * m) return [values];
    if (n > window(o, m)) return ensembleSources(values.subarray(n - window(o, m)), m, o);
    const d = stl(values, m), block = 2 * m, rand = uniform(o.seed ?? 1);
    const out = [values];
    for (let b = 1; b < (o.bootstraps ?? 8); b++) {
      const y = new Float64Array(n);
      for (let t = 0; t < n; t += block) {
        const from = Math.floor(rand() * (n - block + 1));
        for (let j = 0; j < block && t + j < n; j++) {
          y[t + j] = d.trend[t + j]! + d.seasonal[t + j]! + d.remainder[from + j]!;
        }
      }
      out.push(y);
    }
    return out;
  }
  const lengths = [...new Set([n >> 2, n >> 1].filter((w) => w >= min)), n];
  return lengths.map((w) => values.subarray(n - w));
}

// Windows: parameter estimates from recent history alone track a changed regime, those from
// all of it are steadier; averaging hedges between them ("temporal" robustness). Bagged:
// Bergmeir, Hyndman & Benítez (2016), "Bagging exponential smoothing methods using STL
// decomposition and Box-Cox transformation", IJF 32(2) — here only the parameters are bagged:
// every set re-runs its filter over the original series (the bootstrapped series' own states
// would be built from the STL trend, which looks ahead, and leak into the backtest).
/**
 * Fits ETS(A,N,A) (loss over 1…horizon steps, as `holtWinters`) to each source series and averages
 * the forecasts of those parameter sets, each filtered over the original history from the same
 * heuristic initial states (`bagged` bootstraps and fits only the last `history` points, see
 * {@linkcode EtsEnsembleOptions}). `at(end, h)` re-runs every filter over `values[0, end)`.
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead the loss targets.
 * @param options Period, source of the parameter sets.
 * @returns The fitted model (params: `alpha` and `gamma` of each set).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsEnsemble } from "./ets_ensemble.ts";
 * const y = Float64Array.from({ length: 480 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
 * const f = etsEnsemble(y, 24, { period: 24 }).at(480, 24);
 * assert.ok(Math.abs(f.mean[5]! - Math.sin((2 * Math.PI * 485) / 24)) < 0.05);
 * ```
 */
export function etsEnsemble(
  values: Float64Array,
  horizon: number,
  options: EtsEnsembleOptions = {},
): FittedModel {
  const m0 = Math.round(options.period ?? 0);
  const m = m0 > 1 && values.length >= 2 * m0 ? m0 : 0;
  const init = etsInitialStates(values, m, false);
  const initial = { level: init.level, slope: 0, season: m > 1 ? [...init.season] : [] };
  const n = values.length, from = Math.max(0, n - window(options, m));
  const models: EtsModel[] = [], resumes: EtsModel[] = [];
  for (const y of ensembleSources(values, m, options)) {
    const fit = fitEts(y, { trend: "none", period: m, lossHorizon: horizon });
    const model = { ...fit, initial, n };
    models.push(etsRefilter(model, values));
    // The filter is sequential: its states at `from` taken as initial states give origins after
    // `from` the same states as a run from the start, at a cost that does not grow with n.
    const at = etsRefilter(model, values.subarray(0, from));
    const states = { level: at.level, slope: at.slope, season: at.season };
    resumes.push(from ? { ...model, initial: states } : model);
  }
  const params = {
    period: m,
    alpha: models.map((f) => f.alpha),
    gamma: models.map((f) => f.gamma),
  };
  const fitted: FittedModel = {
    params,
    at(end, h): ModelForecast {
      const mean = new Float64Array(h), sd = new Float64Array(h);
      for (const [j, model] of models.entries()) {
        const f = etsForecast(
          end === n
            ? model
            : end > from
            ? etsRefilter(resumes[j]!, values.subarray(from, end))
            : etsRefilter(model, values.subarray(0, end)),
          h,
        );
        for (let i = 0; i < h; i++) {
          mean[i]! += f.mean[i]! / models.length, sd[i]! += f.sd[i]! / models.length;
        }
      }
      return { mean, sd, params };
    },
  };
  if (!options.errorAr) return fitted;
  // The mean forecast's one-step error is the mean of the members' errors.
  const residuals = new Float64Array(values.length);
  for (const model of models) {
    etsResiduals(model, values).forEach((e, t) => residuals[t]! += e / models.length);
  }
  return withResidualAr(fitted, residuals, {
    skip: m,
    ...(typeof options.errorAr === "object" && options.errorAr),
  });
}
