/**
 * Non-overlapping temporal aggregation aligned to a forecast origin, as MAPA and temporal
 * hierarchies use it.
 *
 * @module
 */

/**
 * Means of `values[0, end)` over non-overlapping buckets of `k` points, the last bucket ending at
 * `end` (the forecast origin), so that bucket j after the origin covers base steps jk+1…(j+1)k.
 * The first `end mod k` points, which do not fill a bucket, are dropped. A `NaN` in a bucket
 * makes its mean `NaN`. `k` ≤ 1 gives a copy of the prefix.
 *
 * @param values The series.
 * @param end Forecast origin: the buckets cover `values[end mod k, end)`.
 * @param k Points per bucket.
 * @returns ⌊end / k⌋ bucket means, oldest first.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aggregateToEnd } from "./aggregate_to_end.ts";
 * const y = Float64Array.from({ length: 10 }, (_, i) => i + 1);
 * assert.deepEqual([...aggregateToEnd(y, 10, 3)], [3, 6, 9]); // 2–4, 5–7, 8–10; 1 dropped
 * assert.deepEqual([...aggregateToEnd(y, 8, 4)], [2.5, 6.5]);
 * ```
 */
export function aggregateToEnd(values: Float64Array, end: number, k: number): Float64Array {
  if (k <= 1) return values.slice(0, end);
  const q = Math.floor(end / k), start = end - q * k, out = new Float64Array(q);
  for (let i = 0, t = start; i < q; i++) {
    let s = 0;
    for (let j = 0; j < k; j++, t++) s += values[t]!;
    out[i] = s / k;
  }
  return out;
}
