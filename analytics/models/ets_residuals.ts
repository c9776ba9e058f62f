/**
 * The one-step errors of a fitted ETS model over a series.
 *
 * @module
 */

import type { EtsModel } from "../forecast/ets.ts";
import { oneStepErrors } from "./ets_initial_ls.ts";

/**
 * Runs `model`'s filter from its initial states over `values` and returns each one-step error
 * y_t − ŷ_{t|t−1} (0 where y_t is missing, as the filter moves on). Entry t depends on
 * `values[0, t]` only, so the residuals up to a backtest origin are the ones a model re-run over
 * that prefix would have made. A flat model (fewer than 3 points) errs from its level.
 *
 * @param model A model from `fitEts` (or `etsRefilter`).
 * @param values The series it was fitted to (or a prefix).
 * @returns One error per value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitEts } from "../forecast/ets.ts";
 * import { etsResiduals } from "./ets_residuals.ts";
 * const y = Float64Array.from({ length: 60 }, (_, i) => 5 + (i % 2));
 * const e = etsResiduals(fitEts(y, { trend: "none", period: 2 }), y);
 * assert.ok(Math.abs(e[59]!) < 0.1);
 * ```
 */
export function etsResiduals(model: EtsModel, values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  if (model.n < 3) {
    for (let t = 0; t < values.length; t++) out[t] = values[t]! - model.level || 0;
    return out;
  }
  // a model without season stores no seasonal state; the filter reads one zero
  const season = model.period > 1 ? model.initial.season : [0];
  oneStepErrors(values, model, { ...model.initial, season }, out);
  return out;
}
