/**
 * The part of a capacity row that comes from forecasting a series to its mark under the
 * evidence rules, the same for a machine resource (`capacityReport`) and a service's request
 * rate against its USL peak (`serviceCapacity`).
 *
 * @module
 */
import type { SeriesKey } from "../series/series_source.ts";
import {
  type CapacityForecast,
  capacityForecast,
  type CapacityStatus,
} from "./capacity_forecast.ts";
import { type EvidenceRules, type EvidenceVerdict, judgeHistory } from "./evidence_rules.ts";

/** The fields every capacity row has, whatever its resource. Times are ms since the epoch;
 * null = not within the horizon. */
export interface CapacityRowFields {
  host: string;
  metric: string;
  labels: string;
  /** Latest level (median of the last three points). */
  current: number;
  /** The resource's limit (size, total, cores, configured connections, USL peak). */
  limit: number;
  /** Level treated as exhaustion: limit × threshold ratio. */
  threshold: number;
  /** current / limit. */
  utilization: number;
  /** Growth at the end of the history, units per day. */
  growthPerDay: number;
  /** Median time of reaching `threshold`, and its 80 % interval. */
  eta: number | null;
  etaLow: number | null;
  etaHigh: number | null;
  /** Trend model: `linear`, `quadratic` or `none`. */
  model: string;
  /** `insufficient` when the history is shorter than the evidence rules ask (see `reason`). */
  status: CapacityStatus;
  /** Why there is no ETA (`7 min of history; ETAs need 1 day`); null otherwise. */
  reason: string | null;
  /** How far ahead the ETA looked, ms: the horizon, cut to 4× the history by the evidence
   * rules (0 when insufficient). */
  horizonMs: number;
  /** Why that is shorter than the horizon asked for; null when it is not. */
  note: string | null;
  /** Points in the series read, and the tier that served them. */
  points: number;
  tier: string;
  /** First and last sample time of the series read, ms (the history behind the numbers). */
  first: number;
  last: number;
  /** Where the limit comes from, e.g. `filesystem_size_bytes`. */
  limitSource: string;
  /** The stored series whose sum is the row's series, when no one stored series has the row's
   * `metric` and `labels` (a service's request rate summed over one series per status code); the
   * forecast used that sum, and the charts draw it. */
  sumOf?: SeriesKey[];
}

/** The fields {@linkcode forecastRow} fills, in a row's order. */
export type ForecastFields = Pick<
  CapacityRowFields,
  | "current"
  | "limit"
  | "threshold"
  | "utilization"
  | "growthPerDay"
  | "eta"
  | "etaLow"
  | "etaHigh"
  | "model"
  | "status"
  | "reason"
  | "horizonMs"
  | "note"
  | "points"
  | "tier"
  | "first"
  | "last"
>;

/** Options of {@linkcode forecastRow}. */
export interface ForecastRowOptions {
  /** The resource's limit. */
  limit: number;
  /** Level treated as exhaustion. */
  threshold: number;
  /** Forecast start, ms. */
  now: number;
  /** How far ahead an ETA counts, ms (cut by the evidence rules to what the history supports). */
  horizonMs: number;
  /** First and last finite sample time of the series, ms (judged by the evidence rules). */
  first: number;
  last: number;
  /** The tier that served the series. */
  tier: string;
  /** Evidence rules overrides; default `DEFAULT_EVIDENCE`. */
  evidence?: Partial<EvidenceRules> | undefined;
  /** Bootstrap rounds of the ETA interval; default 200 (none for an insufficient history). */
  bootstrap?: number | undefined;
  /** `CapacityForecastOptions.earlyStop`; default true. */
  earlyStop?: boolean | undefined;
  /** `up` (default): the threshold is reached from below; `down`: from above (e.g. free bytes). */
  direction?: "up" | "down" | undefined;
}

/**
 * The reason a row gives for withholding its figures. Being past the threshold already is an
 * observation (the median of the last samples), not a forecast: a short history still gets no
 * ETA and no `over` status (one busy minute would read as critical), but its reason says it is
 * past the threshold rather than only that the history is short.
 *
 * @param verdict The evidence rules' verdict on the history.
 * @param f The forecast's status and number of points.
 * @returns The reason, or `null` when the figures are shown.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeHistory } from "./evidence_rules.ts";
 * import { rowReason } from "./forecast_row.ts";
 * const short = judgeHistory(0, 5 * 60_000, 86_400_000);
 * assert.equal(rowReason(short, { status: "over", points: 300 }),
 *   "at or past the threshold now; 5 min of history; ETAs need 1 day");
 * assert.equal(rowReason(short, { status: "crossing", points: 300 }), "5 min of history; ETAs need 1 day");
 * ```
 */
export function rowReason(
  verdict: EvidenceVerdict,
  f: Pick<CapacityForecast, "status" | "points">,
): string | null {
  if (verdict.reason === null) {
    return f.status === "insufficient" ? `${f.points} points; ETAs need 6` : null;
  }
  return !verdict.sufficient && f.status === "over"
    ? `at or past the threshold now; ${verdict.reason}`
    : verdict.reason;
}

/**
 * Forecasts a series to its mark, keeping to the evidence rules: a history too short for an
 * ETA gets status `insufficient` with the reason, no ETA, growth or model (and no bootstrap is
 * run), and a short one looks only as far ahead as it supports.
 *
 * @param ts Sample times, ms.
 * @param values Sample values (NaN skipped).
 * @param options Limit, mark, time, horizon and the series' extent.
 * @returns The row's forecast fields, the forecast itself, and whether its figures are shown
 * (`known`: false when the evidence rules withhold them).
 * @throws {RangeError} If the horizon is not positive.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastRow } from "./forecast_row.ts";
 * const ts = Float64Array.from({ length: 10 }, (_, i) => i * 60_000);
 * const values = Float64Array.from(ts, (_, i) => i);
 * const { fields, known } = forecastRow(ts, values, {
 *   limit: 100, threshold: 90, now: 540_000, horizonMs: 86_400_000,
 *   first: 0, last: 540_000, tier: "raw",
 * });
 * assert.equal(known, false);
 * assert.equal(fields.status, "insufficient");
 * assert.equal(fields.reason, "9 min of history; ETAs need 1 day");
 * ```
 */
export function forecastRow(
  ts: Float64Array,
  values: Float64Array,
  options: ForecastRowOptions,
): { fields: ForecastFields; forecast: CapacityForecast; known: boolean } {
  const { limit, threshold, first, last } = options;
  const verdict = judgeHistory(first, last, options.horizonMs, options.evidence);
  const f = capacityForecast(ts, values, {
    threshold,
    now: options.now,
    // A short history supports only a short look ahead (the evidence rules' horizon share).
    horizonMs: verdict.sufficient ? verdict.horizonMs : options.horizonMs,
    // No interval is shown for an insufficient history: skip the bootstrap.
    ...(!verdict.sufficient
      ? { bootstrap: 0 }
      : options.bootstrap !== undefined && { bootstrap: options.bootstrap }),
    ...(options.earlyStop !== undefined && { earlyStop: options.earlyStop }),
    ...(options.direction !== undefined && { direction: options.direction }),
  });
  const known = verdict.sufficient || f.status === "insufficient";
  const fields: ForecastFields = {
    current: f.current,
    limit,
    threshold,
    utilization: f.current / limit,
    growthPerDay: known ? f.growthPerDay : NaN,
    eta: known ? f.eta : null,
    etaLow: known ? f.etaLow : null,
    etaHigh: known ? f.etaHigh : null,
    model: known ? f.model : "none",
    status: known ? f.status : "insufficient",
    reason: rowReason(verdict, f),
    horizonMs: verdict.horizonMs,
    note: verdict.note,
    points: f.points,
    tier: options.tier,
    first,
    last,
  };
  return { fields, forecast: f, known };
}
