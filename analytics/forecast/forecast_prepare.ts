/**
 * Input handling of `forecast()`: option validation, internal scaling, gap filling and periods.
 *
 * @module
 */

import { type CandidateName, DEFAULT_CANDIDATES } from "./forecast_candidates.ts";
import { detectPeriods } from "../models/detect_periods.ts";
import { dshwPeriods } from "../models/double_seasonal_hw.ts";
import { interpolateGaps } from "../models/interpolate_gaps.ts";

/** What {@linkcode prepareForecast} needs from the options of `forecast()`. */
export interface PrepareOptions {
  /** Steps to forecast (integer ≥ 1). */
  horizon: number;
  /** Seasonal period(s), `0` for none, or `"auto"` (default). */
  season?: "auto" | number | number[] | undefined;
  /** Candidate models (default {@linkcode DEFAULT_CANDIDATES}). */
  models?: CandidateName[] | undefined;
}

/** A validated, scaled history. */
export interface Prepared {
  /** Steps to forecast. */
  horizon: number;
  /** Gap-free scaled history. */
  y: Float64Array;
  /** Scaled history with its gaps (`NaN`), the actuals of the backtest. */
  raw: Float64Array;
  /** Values were scaled as (v − center) / scale (center `NaN` without finite values). */
  center: number;
  /** See `center`. */
  scale: number;
  /** Finite values in the input. */
  finite: number;
  /** Seasonal periods that fit twice, shortest first. */
  periods: number[];
  /** Candidate names. */
  names: CandidateName[];
}

/**
 * Validates the options and scales the series by its mean and largest deviation (so that huge
 * magnitudes do not overflow the fits), fills gaps by interpolation and detects the seasonal
 * periods when `season` is `"auto"`.
 *
 * @param values The history (`NaN` for missing).
 * @param options Horizon, season, models.
 * @returns The prepared history.
 * @throws {RangeError} If `horizon` is not an integer ≥ 1 or a period is not an integer ≥ 2.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareForecast } from "./forecast_prepare.ts";
 * const p = prepareForecast(new Float64Array([1, NaN, 3]), { horizon: 1, season: 0 });
 * assert.deepEqual([...p.y], [-1, 0, 1]);
 * ```
 */
export function prepareForecast(values: Float64Array, options: PrepareOptions): Prepared {
  const horizon = options.horizon;
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new RangeError(`Invalid horizon: ${horizon} (expected an integer ≥ 1)`);
  }
  const season = options.season ?? "auto";
  const given = season === "auto" ? undefined : [season].flat();
  for (const p of given ?? []) {
    if (p !== 0 && !(Number.isInteger(p) && p >= 2)) throw new RangeError(`Invalid season: ${p}`);
  }
  let center = 0, spread = 0, finite = 0;
  for (const v of values) if (Number.isFinite(v)) finite++, center += (v - center) / finite;
  for (const v of values) if (Number.isFinite(v)) spread = Math.max(spread, Math.abs(v - center));
  if (!finite) center = NaN;
  const scale = spread > 0 && Number.isFinite(spread) ? spread : 1;
  const y = interpolateGaps(values);
  const raw = new Float64Array(values.length);
  for (let i = 0; i < y.length; i++) {
    y[i] = (y[i]! - center) / scale, raw[i] = (values[i]! - center) / scale;
  }
  const n = y.length;
  const periods = (given ?? detectPeriods(raw).map((p) => p.period))
    .filter((p) => p >= 2 && 2 * p <= n).sort((a, b) => a - b);
  const asked = options.models ?? [...DEFAULT_CANDIDATES];
  // `dshw` needs two periods (see dshwPeriods); without them it is not a candidate (unless it is
  // the only one)
  const names = dshwPeriods(periods, n) ? asked : asked.filter((m) => m !== "dshw");
  if (!names.length) names.push(...asked);
  return { horizon, y, raw, center, scale, finite, periods, names };
}
