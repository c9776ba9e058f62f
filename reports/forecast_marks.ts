/**
 * What a resource's forecast chart draws besides the series and the forecast, decided once on
 * the server: the caption names these and the client script draws these (it reads them from the
 * figure's `data-marks`), so the caption cannot name a mark the chart left out.
 *
 * @module
 */
import type { ResourceSection } from "./report_data.ts";

/** The marks of one forecast chart. */
export interface ForecastMarks {
  /** The limit's rule: known and near the data. */
  limit: boolean;
  /** The exhaustion mark's rule: known, near the data and apart from the limit. */
  mark: boolean;
  /** The time to exhaustion's rule: the resource reaches its mark within the horizon. */
  eta: boolean;
  /** The 80 % interval of that time, shaded: `eta` and its low end known. */
  etaInterval: boolean;
}

/**
 * Decides the marks of `r`'s forecast chart. A level is near when it lies at most 1.5 times the
 * data's span (at least 5 % of its top) above the top of the observations, the forecast and its
 * 80 % band; a farther one would squash the series against the chart's bottom edge.
 *
 * @param r The resource.
 * @returns Which marks the chart draws.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastMarks } from "./forecast_marks.ts";
 * import type { ResourceSection } from "./report_data.ts";
 * const r = {
 *   series: { ts: [0, 1], values: [40, 80] },
 *   forecast: null,
 *   limit: 100,
 *   threshold: 1000,
 *   eta: null,
 *   etaLow: null,
 * } as unknown as ResourceSection;
 * assert.deepEqual(forecastMarks(r), { limit: true, mark: false, eta: false, etaInterval: false });
 * ```
 */
export function forecastMarks(r: ResourceSection): ForecastMarks {
  let lo = Infinity, hi = -Infinity;
  function see(v: number | null | undefined) {
    if (v == null || !Number.isFinite(v)) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  r.series.ts.forEach((_, i) => see(r.series.values[i]));
  const fc = r.forecast;
  fc?.ts.forEach((_, i) => (see(fc.mean[i]), see(fc.lo80[i]), see(fc.hi80[i])));
  if (lo > hi) [lo, hi] = [0, 1];
  const reach = hi + 1.5 * Math.max(hi - lo, Math.abs(hi) * 0.05);
  const near = (level: number | null) => level != null && level <= reach;
  const eta = r.eta != null;
  return {
    limit: near(r.limit),
    mark: near(r.threshold) && r.threshold !== r.limit,
    eta,
    etaInterval: eta && r.etaLow != null,
  };
}
