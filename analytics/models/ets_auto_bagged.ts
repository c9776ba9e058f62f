/**
 * Bagged automatic ETS: the AICc-chosen additive-error form refitted on moving-block bootstraps
 * of the STL remainder, the forecasts averaged.
 *
 * @module
 */

import { type EtsModel, type EtsTrend, fitEts } from "../forecast/ets.ts";
import { etsForecast } from "../forecast/ets_forecast.ts";
import { etsAuto } from "./ets_auto.ts";
import { ensembleSources } from "./ets_ensemble.ts";
import { etsInitialStates } from "./ets_filter.ts";
import { etsLeastSquaresInitial } from "./ets_initial_ls.ts";
import { etsRefilter } from "./ets_refilter.ts";
import type { FittedModel, ModelForecast } from "./model_forecast.ts";

/** Options of {@linkcode etsAutoBagged}. */
export interface EtsAutoBaggedOptions {
  /** Seasonal period in points; < 2 for none (default 0). */
  period?: number;
  /**
   * `once`: the form chosen by AICc on the original series, its parameters refitted on each
   * bootstrap; `each`: every bootstrap series chooses its own form by AICc, as Bergmeir,
   * Hyndman & Benítez (2016) do (default `once`).
   */
  select?: "once" | "each";
  /** Series, the original included (default 8, as `ets_bagged`). */
  bootstraps?: number;
  /** Seed of the bootstrap's generator (default 1, as `ets_bagged`). */
  seed?: number;
}

const TREND: Record<string, EtsTrend> = { N: "none", A: "additive", Ad: "damped" };

/** The trend and period of the form `etsAuto` chose for `y`. */
function chosen(y: Float64Array, period: number): { trend: EtsTrend; period: number } {
  const p = etsAuto(y, 1, { period }).params;
  return { trend: TREND[String(p.form).split(",")[1]!]!, period: p.period as number };
}

/**
 * The model with `fit`'s parameters run over the original `values` from the initial states that
 * minimise its one-step errors there (for the original series' own fit these are its states).
 */
function member(fit: EtsModel, values: Float64Array): EtsModel {
  if (fit.n < 3) return fit;
  const hasTrend = fit.trend !== "none";
  const fallback = etsInitialStates(values, fit.period, hasTrend);
  const init = etsLeastSquaresInitial(values, fit, hasTrend, fallback);
  const initial = {
    level: init.level,
    slope: init.slope,
    season: fit.period > 1 ? [...init.season] : [],
  };
  return etsRefilter({ ...fit, initial, n: values.length }, values);
}

// Bergmeir, Hyndman & Benítez (2016), "Bagging exponential smoothing methods using STL
// decomposition and Box-Cox transformation", IJF 32(2): automatic ETS on every bootstrap series,
// the forecasts averaged. As in `ets_bagged`, only the parameters (and here the forms) come from
// the bootstraps: each set runs over the original series, whose own least-squares initial states
// it gets, since the bootstrap's states would be built on the STL trend, which looks ahead.
/**
 * Automatic ETS (`etsAuto`: ETS(A,N,N), (A,A,N), (A,Ad,N) and with a period (A,N,A), (A,A,A),
 * (A,Ad,A) by one-step maximum likelihood, the lowest AICc) bagged over the series `ets_bagged`
 * uses: the original and 7 moving-block bootstraps of its STL remainder. Each series' fit gives
 * a parameter set that is run over the original history from the initial states minimising its
 * one-step errors there; the forecasts (means and standard deviations) are averaged. With
 * `select: "once"` the form is chosen on the original series and only its parameters are
 * refitted; with `each` every series chooses its own form. `at(end, h)` re-runs every filter over
 * `values[0, end)`. Without two cycles of the period there is nothing to resample: `etsAuto`'s
 * chosen form alone.
 *
 * @param values Gap-free history.
 * @param _horizon Unused: the forms are fitted to the one-step error.
 * @param options Period, where the form is chosen, bootstraps and seed.
 * @returns The fitted model (params: the `form` of each set, space-separated, and their `alpha` and
 * `gamma`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsAutoBagged } from "./ets_auto_bagged.ts";
 * const y = Float64Array.from({ length: 240 }, (_, i) => Math.sin((2 * Math.PI * i) / 12));
 * const fit = etsAutoBagged(y, 12, { period: 12 });
 * assert.equal(fit.params.form, Array(8).fill("A,N,A").join(" "));
 * assert.ok(Math.abs(fit.at(240, 12).mean[2]! - Math.sin((2 * Math.PI * 242) / 12)) < 0.05);
 * ```
 */
export function etsAutoBagged(
  values: Float64Array,
  _horizon: number,
  options: EtsAutoBaggedOptions = {},
): FittedModel {
  const m0 = Math.round(options.period ?? 0);
  const m = m0 > 1 && values.length >= 2 * m0 ? m0 : 0;
  const series = ensembleSources(values, m, {
    source: "bagged",
    bootstraps: options.bootstraps ?? 8,
    seed: options.seed ?? 1,
  });
  const once = options.select === "each" ? undefined : chosen(values, m0);
  const models = series.map((y) => {
    const { trend, period } = once ?? chosen(y, m0);
    const fit = fitEts(y, { trend, period, lossHorizon: 1, initial: "least_squares" });
    return member(fit, values);
  });
  const label = (f: EtsModel) =>
    `A,${f.trend === "none" ? "N" : f.trend === "damped" ? "Ad" : "A"},${f.period > 1 ? "A" : "N"}`;
  const params = {
    form: models.map(label).join(" "),
    alpha: models.map((f) => f.alpha),
    gamma: models.map((f) => f.gamma),
  };
  return {
    params,
    at(end, h): ModelForecast {
      const mean = new Float64Array(h), sd = new Float64Array(h);
      for (const model of models) {
        const f = etsForecast(
          end === values.length ? model : etsRefilter(model, values.subarray(0, end)),
          h,
        );
        for (let i = 0; i < h; i++) {
          mean[i]! += f.mean[i]! / models.length, sd[i]! += f.sd[i]! / models.length;
        }
      }
      return { mean, sd, params };
    },
  };
}
