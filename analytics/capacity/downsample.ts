/**
 * Bucket-mean downsampling of aligned columns, so a chart never carries more points than it can
 * show and the report stays small.
 *
 * @module
 */

/** Columns after downsampling, as plain arrays with `null` for missing values (JSON-safe). */
export interface Downsampled {
  /** Bucket timestamps: the mean time of the bucket's points, rounded to the ms. */
  ts: number[];
  /** One array per input column, in input order. */
  columns: (number | null)[][];
}

/**
 * Averages consecutive points into at most `maxPoints` equal-count buckets; every column uses
 * the same buckets, so components of a decomposition stay aligned. A bucket whose values are
 * all `NaN` yields `null` (a gap in the chart). Fewer points than `maxPoints` pass through.
 *
 * @param ts Timestamps (ms), ascending.
 * @param columns Value columns, each as long as `ts`.
 * @param maxPoints Largest number of output points (≥ 1).
 * @returns The downsampled timestamps and columns.
 * @throws {RangeError} If `maxPoints` < 1 or a column's length differs from `ts`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downsample } from "./downsample.ts";
 * const out = downsample(new Float64Array([0, 1, 2, 3]), [new Float64Array([1, 3, NaN, NaN])], 2);
 * assert.deepEqual(out, { ts: [1, 3], columns: [[2, null]] });
 * ```
 */
export function downsample(
  ts: ArrayLike<number>,
  columns: ArrayLike<number>[],
  maxPoints: number,
): Downsampled {
  if (!(maxPoints >= 1)) throw new RangeError(`Invalid maxPoints: ${maxPoints}`);
  for (const c of columns) {
    if (c.length !== ts.length) {
      throw new RangeError(`Column length ${c.length} differs from ${ts.length} timestamps`);
    }
  }
  const n = ts.length;
  const buckets = Math.min(n, Math.floor(maxPoints));
  const outTs: number[] = new Array(buckets);
  const out = columns.map(() => new Array<number | null>(buckets));
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    let tSum = 0;
    for (let i = lo; i < hi; i++) tSum += ts[i]!;
    outTs[b] = Math.round(tSum / (hi - lo));
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      let sum = 0;
      let count = 0;
      for (let i = lo; i < hi; i++) {
        const v = col[i]!;
        if (Number.isFinite(v)) (sum += v, count++);
      }
      out[c]![b] = count > 0 ? sum / count : null;
    }
  }
  return { ts: outTs, columns: out };
}
