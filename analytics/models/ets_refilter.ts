/**
 * Re-runs a fitted ETS model over a prefix of its history: the forecast an ETS model with the
 * same parameters would have made at an earlier origin, for cheap rolling-origin backtests.
 *
 * @module
 */

import type { EtsModel } from "../forecast/ets.ts";
import { etsFilter } from "./ets_filter.ts";

/**
 * Filters `values` from `model.initial` with `model`'s smoothing parameters and returns the
 * model with its final states (`level`, `slope`, `season`) at the end of `values`. The
 * parameters, `sigma2` and `n` are kept. A flat model (fitted to < 3 points) or empty `values`
 * comes back unchanged.
 *
 * @param model A model from `fitEts`.
 * @param values The series to run over (usually a prefix of the one it was fitted to).
 * @returns The model with states at the end of `values`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitEts } from "../forecast/ets.ts";
 * import { etsRefilter } from "./ets_refilter.ts";
 * const y = Float64Array.from({ length: 60 }, (_, i) => i);
 * const m = fitEts(y, { trend: "additive" });
 * assert.ok(Math.abs(etsRefilter(m, y.subarray(0, 30)).level - 29) < 1);
 * ```
 */
export function etsRefilter(model: EtsModel, values: Float64Array): EtsModel {
  if (model.n < 3 || !values.length) return model;
  const m = model.period;
  const init = {
    level: model.initial.level,
    slope: model.initial.slope,
    season: m > 1 ? Float64Array.from(model.initial.season) : new Float64Array(1),
  };
  const st = { level: 0, slope: 0, season: new Float64Array(Math.max(1, m)) };
  etsFilter(values, model, init, st);
  const season: number[] = [];
  for (let h = 0; h < m; h++) season.push(st.season[(values.length + h) % m]!);
  return { ...model, level: st.level, slope: st.slope, season };
}
