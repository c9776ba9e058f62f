/**
 * Several series of a source over one range, read together where the source can.
 *
 * @module
 */
import type {
  SeriesKey,
  SeriesSource,
  SourceSeries,
  SourceSeriesOptions,
} from "../../sources/mod.ts";

/**
 * Reads each key's series over one range: in one `seriesBatch` call when the source has it
 * (the lake reads them in a statement per tier, not one per series), else one `series` call
 * per key, in turn. The same series either way.
 *
 * @param source The series source.
 * @param keys The series.
 * @param options Range, step and value of a bucket, shared by all.
 * @returns One series per key, in the keys' order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "./series_source.ts";
 * import { readSeries } from "./read_series.ts";
 * const src = memorySource([{ host: "h", metric: "m", labels: "", ts: Float64Array.of(0), values: Float64Array.of(1) }]);
 * const [s] = await readSeries(src, [{ host: "h", metric: "m", labels: "" }], { from: 0, to: 1 });
 * assert.deepEqual([...s!.values], [1]);
 * ```
 */
export async function readSeries(
  source: SeriesSource,
  keys: readonly SeriesKey[],
  options: Omit<SourceSeriesOptions, keyof SeriesKey>,
): Promise<SourceSeries[]> {
  if (keys.length === 0) return [];
  if (source.seriesBatch) return await source.seriesBatch(keys, options);
  const out: SourceSeries[] = [];
  for (const k of keys) out.push(await source.series({ ...k, ...options }));
  return out;
}
