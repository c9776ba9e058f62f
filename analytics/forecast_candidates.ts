/**
 * The pool of candidate forecasting models, by name.
 *
 * @module
 */

import { augursMstl } from "./models/augurs_mstl.ts";
import { drift } from "./models/drift.ts";
import { holtWinters } from "./models/holt_winters.ts";
import type { ModelForecaster } from "./models/model_forecast.ts";
import { mstlEts } from "./models/mstl_ets.ts";
import { seasonalMean } from "./models/seasonal_mean.ts";
import { seasonalNaive } from "./models/seasonal_naive.ts";

/** Names of the candidate models. */
export type CandidateName =
  | "snaive"
  | "drift"
  | "seasonal_mean"
  | "ets"
  | "ets_damped"
  | "mstl_ets"
  | "augurs_mstl";

const pool: Record<CandidateName, ModelForecaster> = {
  snaive: (y, h, c) => seasonalNaive(y, h, c.periods[0] ?? 1),
  drift: (y, h) => drift(y, h),
  seasonal_mean: (y, h, c) => seasonalMean(y, h, c.periods[0] ?? 1, c.periods[0] ? 7 : 24),
  ets: (y, h, c) => holtWinters(y, h, { period: c.periods[0] ?? 0, trend: "none" }),
  ets_damped: (y, h, c) => holtWinters(y, h, { period: c.periods[0] ?? 0, trend: "damped" }),
  mstl_ets: (y, h, c) => mstlEts(y, h, { periods: c.periods, trend: "damped" }),
  augurs_mstl: (y, h, c) => augursMstl(y, h, c.periods),
};

/**
 * Candidate models by name: `snaive` (last cycle of the shortest period), `drift`,
 * `seasonal_mean` (mean of the last 7 cycles, or of the last 24 points without season), `ets`
 * (ETS(A,N,A) on the shortest period), `ets_damped` (ETS(A,Ad,A)), `mstl_ets` (MSTL on all
 * periods + damped ETS) and `augurs_mstl` (augurs' MSTL + AutoETS).
 *
 * @param names Names to look up.
 * @returns The forecasters, keyed by name.
 * @throws {RangeError} If a name is not a candidate.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { candidateModels } from "./forecast_candidates.ts";
 * const f = candidateModels(["drift"]).drift(new Float64Array([1, 2]), 1, { periods: [] });
 * assert.equal(f.mean[0], 3);
 * ```
 */
export function candidateModels(names: readonly string[]): Record<CandidateName, ModelForecaster> {
  for (const name of names) {
    if (!(name in pool)) {
      throw new RangeError(
        `Invalid model: ${name} (expected one of ${Object.keys(pool).join(", ")})`,
      );
    }
  }
  return pool;
}
