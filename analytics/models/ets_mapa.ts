/**
 * Temporal aggregation of ETS (MAPA, temporal hierarchies): ETS fitted to the series' means over
 * 1, 2, 3, 4, 6, 12 and 24 points, the levels' forecasts brought back to the base step and
 * averaged.
 *
 * @module
 */

import { type EtsModel, fitEts } from "../forecast/ets.ts";
import { etsForecast } from "../forecast/ets_forecast.ts";
import { aggregateToEnd } from "./aggregate_to_end.ts";
import { etsInitialStates } from "./ets_filter.ts";
import { etsRefilter } from "./ets_refilter.ts";
import { gcd, reconcileTemporal } from "./reconcile_temporal.ts";
import type { FittedModel, ModelForecast } from "./model_forecast.ts";

/** Options of {@linkcode etsMapa}. */
export interface EtsMapaOptions {
  /** Seasonal period of the base series in points; < 2 for none (default 0). */
  period?: number;
  /** Points per bucket of each level (default 1, 2, 3, 4, 6, 12, 24; 1 is always used). */
  levels?: readonly number[];
  /**
   * How a level's bucket forecast becomes base steps: `uniform` (every step of the bucket gets
   * the bucket's mean, as MAPA's forecast average), `base` (the base level's forecast shifted so
   * that its bucket mean is the level's: the within-bucket shape comes from the base level), or
   * `thief` (all levels reconciled by `reconcileTemporal`: temporal hierarchies with structural
   * scaling) (default `uniform`; README: Forecasting has the three measured).
   */
  spread?: "uniform" | "base" | "thief";
}

/** Buckets a level needs at an origin: 3 cycles of its period, and at least 16. */
function enough(q: number, period: number): boolean {
  return q >= Math.max(16, 3 * period);
}

/** The seasonal period of level k, or −1 when k and the base period do not nest. */
function levelPeriod(m: number, k: number): number {
  if (m < 2 || k === 1) return m < 2 ? 0 : m;
  if (m % k === 0) return m / k >= 2 ? m / k : 0;
  return k % m === 0 ? 0 : -1;
}

// Kourentzes, Petropoulos & Trapero (2014), "Improving forecasting by estimating time series
// structural components across multiple frequencies", IJF 30(2) (MAPA); Athanasopoulos, Hyndman,
// Kourentzes & Petropoulos (2017), "Forecasting with temporal hierarchies", EJOR 262(1) (THieF).
// A level whose bucket neither divides the period nor is a multiple of it (e.g. 7-point period,
// 2-point buckets) is left out: its means still carry season at a period that is not an integer,
// which neither a non-seasonal ETS nor the base level's season index folded into it would model
// without a deseasonalised copy of the series; for hourly data (period 24) every level nests.
/**
 * Fits ETS(A,N,A) (loss over the horizon in the level's steps, as `holtWinters`) to the means of
 * the history over non-overlapping buckets of each level (aligned to the end), each with the
 * base period divided by the bucket (non-seasonal when the bucket is a whole cycle or more), and
 * averages the levels' forecasts at each base step. `at(end, h)` re-aggregates `values[0, end)`
 * aligned to `end`, recomputes each level's initial states from it and re-runs the filters with
 * the fitted parameters (nothing after `end` is read). Levels with fewer than max(16, 3 periods)
 * buckets are left out. The standard deviation is the base level's.
 *
 * @param values Gap-free history.
 * @param horizon Steps ahead the loss targets.
 * @param options Period, levels, spreading.
 * @returns The fitted model (params: the levels used and each level's `alpha` and `gamma`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsMapa } from "./ets_mapa.ts";
 * const y = Float64Array.from({ length: 480 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
 * // "base" keeps the base level's shape within each bucket ("uniform", the default, flattens it)
 * const f = etsMapa(y, 24, { period: 24, spread: "base" }).at(480, 24);
 * assert.ok(Math.abs(f.mean[5]! - Math.sin((2 * Math.PI * 485) / 24)) < 0.05);
 * ```
 */
export function etsMapa(
  values: Float64Array,
  horizon: number,
  options: EtsMapaOptions = {},
): FittedModel {
  const n = values.length, m0 = Math.round(options.period ?? 0);
  const m = m0 > 1 && n >= 2 * m0 ? m0 : 0;
  const uniform = (options.spread ?? "uniform") === "uniform";
  const levels = [...new Set([1, ...(options.levels ?? [1, 2, 3, 4, 6, 12, 24])])]
    .sort((a, b) => a - b)
    .filter((k) =>
      k === 1 || (levelPeriod(m, k) >= 0 && enough(Math.floor(n / k), levelPeriod(m, k)))
    );
  const models: EtsModel[] = levels.map((k) =>
    fitEts(aggregateToEnd(values, n, k), {
      trend: "none",
      period: levelPeriod(m, k),
      lossHorizon: Math.ceil(horizon / k),
    })
  );
  const params = {
    period: m,
    levels,
    alpha: models.map((f) => f.alpha),
    gamma: models.map((f) => f.gamma),
  };
  return {
    params,
    at(end, h): ModelForecast {
      const used: number[] = [], fits: EtsModel[] = [];
      for (let l = 0; l < levels.length; l++) {
        const k = levels[l]!, p = levelPeriod(m, k);
        let model = models[l]!;
        if (end !== n && k === 1) model = etsRefilter(model, values.subarray(0, end));
        else if (end !== n) {
          const y = aggregateToEnd(values, end, k);
          if (!enough(y.length, p)) continue;
          const init = etsInitialStates(y, p, false);
          model = etsRefilter({
            ...model,
            initial: { level: init.level, slope: 0, season: p > 1 ? [...init.season] : [] },
          }, y);
        }
        used.push(k), fits.push(model);
      }
      // every level forecasts whole buckets of the longest cycle the levels share
      const lcm = used.reduce((a, k) => (a * k) / gcd(a, k), 1), span = Math.ceil(h / lcm) * lcm;
      const base = etsForecast(fits[0]!, span);
      const means = fits.map((f, l) => l ? etsForecast(f, span / used[l]!).mean : base.mean);
      const b = base.mean;
      let mean: Float64Array;
      if (options.spread === "thief") mean = reconcileTemporal(used, means, span).slice(0, h);
      else {
        mean = new Float64Array(h);
        used.forEach((k, l) => {
          for (let j = 0; j * k < h; j++) {
            let bucket = 0;
            for (let t = j * k; t < (j + 1) * k; t++) bucket += b[t]! / k;
            const f = means[l]![j]!;
            for (let t = j * k; t < Math.min(h, (j + 1) * k); t++) {
              mean[t]! += (uniform ? f : f - bucket + b[t]!) / used.length;
            }
          }
        });
      }
      return { mean, sd: base.sd.slice(0, h), params };
    },
  };
}
