/**
 * Many series in one DuckDB query ({@linkcode Lake.seriesMany}): the options, the result and
 * the read itself, values copied from the result's vectors into typed arrays.
 *
 * @module
 */

import type { DuckDBDoubleVector, DuckDBListVector, DuckDBStructVector } from "@duckdb/node-api";
import { formatLabels, type Labels } from "../collectors/mod.ts";
import { copyDoubles, type ReadChunks, sortByTime } from "./_columns.ts";
import { seriesListSql, seriesWhere } from "./_series_sql.ts";
import { pickStep, type SeriesTier, type TierLimits } from "./pick_tier.ts";

/** Options for {@linkcode Lake.seriesMany}: which series (every filter optional) and how
 * finely. */
export interface SeriesManyOptions {
  /** One metric. Default: every metric (or `metrics`). */
  metric?: string;
  /** Several metrics (with `metric`, both count). */
  metrics?: readonly string[];
  /** Host. Default: every host, each its own series. */
  host?: string;
  /** Exact labels, as object or canonical string. Default: any. */
  labels?: Labels | string;
  /** SQL `LIKE` pattern on the canonical labels, e.g. `cpu=total,%`. Default: any. */
  labelsLike?: string;
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Bucket width in ms (rounded up to a multiple of the tier's). Default: from `maxPoints`. */
  step?: number;
  /** Most points per series when no `step` is given; default 1 500. */
  maxPoints?: number;
  /** Tier. Default: see {@linkcode pickStep}. */
  tier?: SeriesTier;
  /** Where ranges hand over between tiers. Default 6 h raw, 8 days of 1-minute data. */
  limits?: TierLimits;
  /** Which value of a bucket: `avg` (default), `min`, `max` or `last`. */
  agg?: "avg" | "min" | "max" | "last";
  /** Most series returned (the first in host, metric, labels order); past it the result says
   * `truncated`. Default: all. */
  maxSeries?: number;
}

/** One series of a {@linkcode Lake.seriesMany} result. */
export interface SeriesEntry {
  /** Host name. */
  host: string;
  /** Metric name. */
  metric: string;
  /** Canonical label string. */
  labels: string;
  /** Bucket starts, ms since the epoch, ascending. */
  ts: Float64Array;
  /** Values, same length; `NaN` where a bucket has no value. */
  values: Float64Array;
}

/** What {@linkcode Lake.seriesMany} returns. */
export interface SeriesManyResult {
  /** The tier that served the series. */
  tier: SeriesTier;
  /** Bucket width in ms; `undefined` for raw instants. */
  step: number | undefined;
  /** The series, sorted by host, metric, labels. */
  series: SeriesEntry[];
  /** True when more series matched than `maxSeries` (only the first are here). */
  truncated?: boolean;
}

/**
 * Reads many series through `read` (what {@linkcode Lake.seriesMany} does; see there).
 *
 * @param read Runs SQL over the lake's views and returns the result chunks.
 * @param options See {@linkcode SeriesManyOptions}.
 * @returns The tier, the step and the series found (sorted by host, metric, labels).
 * @throws {RangeError} If the range is empty, or the step or budget is not positive.
 */
export async function seriesMany(
  read: ReadChunks,
  options: SeriesManyOptions,
): Promise<SeriesManyResult> {
  const { tier, step } = pickStep(options.from, options.to, options);
  const labels = options.labels === undefined || typeof options.labels === "string"
    ? options.labels
    : formatLabels(options.labels);
  const { where, params } = seriesWhere({ ...options, labels });
  const max = options.maxSeries;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    throw new RangeError(`Invalid maxSeries: ${max}`);
  }
  // one more than asked tells whether there were more
  const sql = seriesListSql(
    { tier, step, agg: options.agg ?? "avg", where },
    max === undefined ? undefined : max + 1,
  );
  const series: SeriesEntry[] = [];
  for (const chunk of await read(sql, params)) {
    const [host, metric, label] = [0, 1, 2].map((i) => chunk.getColumnVector(i));
    const points = chunk.getColumnVector(3) as DuckDBListVector;
    const pairs = points.childVector as DuckDBStructVector;
    const tItems = pairs.entryVectorAt(0) as DuckDBDoubleVector;
    const vItems = pairs.entryVectorAt(1) as DuckDBDoubleVector;
    for (let row = 0; row < chunk.rowCount; row++) {
      const n = points.getEntryLength(row), at = points.getEntryOffset(row);
      const entry: SeriesEntry = {
        host: host!.getItem(row) as string,
        metric: metric!.getItem(row) as string,
        labels: label!.getItem(row) as string,
        ts: new Float64Array(n),
        values: new Float64Array(n),
      };
      copyDoubles(tItems, at, n, entry.ts, 0);
      copyDoubles(vItems, at, n, entry.values, 0);
      series.push(sortByTime(entry));
    }
  }
  if (max !== undefined && series.length > max) {
    series.length = max;
    return { tier, step, series, truncated: true };
  }
  return { tier, step, series };
}
