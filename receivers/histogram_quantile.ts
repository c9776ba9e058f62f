/**
 * Quantiles from histogram buckets, as Prometheus' `histogram_quantile` computes them: the
 * rank's bucket is found in the cumulative counts and the value interpolated linearly within it
 * (Prometheus promql/quantile.go, `bucketQuantile`).
 *
 * @module
 */

/**
 * The q-quantile of a histogram given as cumulative counts per upper bound.
 *
 * @param q The quantile, 0 to 1.
 * @param upper Upper bounds (`le`), ascending, the last `Infinity`.
 * @param cumulative Cumulative counts per bound (made monotonic here, as Prometheus does).
 * @returns The quantile; `NaN` with no observations, fewer than two buckets or no `+Inf` bucket;
 * the highest finite bound when the rank falls in the `+Inf` bucket.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { histogramQuantile } from "./histogram_quantile.ts";
 * // 10 observations ≤ 0.1 s, 10 more ≤ 0.2 s: the median is the top of the first bucket
 * assert.equal(histogramQuantile(0.5, [0.1, 0.2, Infinity], [10, 20, 20]), 0.1);
 * assert.ok(Math.abs(histogramQuantile(0.75, [0.1, 0.2, Infinity], [10, 20, 20]) - 0.15) < 1e-12);
 * ```
 */
export function histogramQuantile(
  q: number,
  upper: ArrayLike<number>,
  cumulative: ArrayLike<number>,
): number {
  const n = upper.length;
  if (n < 2 || upper[n - 1] !== Infinity || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // counts made monotonic (a scrape racing observations can show a lower cumulative count)
  const counts = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) counts[i] = max = Math.max(max, cumulative[i]!);
  const total = counts[n - 1]!;
  if (!(total > 0)) return NaN;
  let rank = q * total;
  let b = 0;
  while (b < n - 1 && counts[b]! < rank) b++;
  if (b === n - 1) return upper[n - 2]!;
  if (b === 0 && upper[0]! <= 0) return upper[0]!;
  let start = 0;
  const end = upper[b]!;
  let count = counts[b]!;
  if (b > 0) {
    start = upper[b - 1]!;
    count -= counts[b - 1]!;
    rank -= counts[b - 1]!;
  }
  return count === 0 ? end : start + (end - start) * (rank / count);
}
