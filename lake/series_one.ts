/**
 * One series read from the lake ({@linkcode Lake.series}): the options, the result and the
 * read itself.
 *
 * @module
 */

import { formatLabels, type Labels } from "../collectors/mod.ts";
import { doubles, type ReadChunks } from "./_columns.ts";
import { bucketSql, seriesWhere } from "./_series_sql.ts";
import { pickTier, type SeriesTier, TIER_MS } from "./pick_tier.ts";

/** Options for {@linkcode Lake.series}. */
export interface SeriesOptions {
  /** Metric name, e.g. `cpu_ratio`. */
  metric: string;
  /** Labels as object or canonical string. Default: none (`""`). */
  labels?: Labels | string;
  /** Host. Default: every host (values of the same instant are averaged). */
  host?: string;
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Bucket width in ms (at least the tier's own). Default: raw instants or the rollup bucket. */
  step?: number;
  /** Tier. Default {@linkcode pickTier}`(from, to)`. */
  tier?: SeriesTier;
  /** Which value of a bucket: `avg` (default), `min`, `max` or `last`. */
  agg?: "avg" | "min" | "max" | "last";
}

/** A series read from the lake. */
export interface SeriesResult {
  /** The tier that served it. */
  tier: SeriesTier;
  /** Instants or bucket starts, ms since the epoch, ascending. */
  ts: Float64Array;
  /** Values, same length. */
  values: Float64Array;
}

/**
 * Reads one series through `read` (what {@linkcode Lake.series} does; see there).
 *
 * @param read Runs SQL over the lake's views and returns the result chunks.
 * @param options See {@linkcode SeriesOptions}.
 * @returns Timestamps and values (empty arrays where there is no data).
 * @throws {RangeError} If the range is empty or the step is not positive.
 */
export async function seriesOne(read: ReadChunks, options: SeriesOptions): Promise<SeriesResult> {
  const { metric, from, to, agg = "avg" } = options;
  const tier = options.tier ?? pickTier(from, to);
  if (options.step !== undefined && !(options.step > 0)) {
    throw new RangeError(`Invalid step: ${options.step}`);
  }
  const labels = typeof options.labels === "string"
    ? options.labels
    : formatLabels(options.labels ?? {});
  const { where, params } = seriesWhere({ metric, labels, from, to, host: options.host });
  const step = stepOf(tier, options.step);
  const chunks = await read(`${bucketSql({ tier, step, agg, where })} ORDER BY 1`, params);
  return { tier, ts: doubles(chunks, 0), values: doubles(chunks, 1) };
}

/** The bucket width a read of `tier` uses for the asked `step`: raw instants unless a step is
 * asked, a rollup's own bucket at least. */
export function stepOf(tier: SeriesTier, step: number | undefined): number | undefined {
  return tier === "raw"
    ? (step === undefined ? undefined : Math.round(step))
    : Math.max(TIER_MS[tier], Math.round(step ?? TIER_MS[tier]));
}
