/**
 * Additive seasonal indices by classical decomposition over the most recent cycles.
 *
 * @module
 */

// Classical additive decomposition (Makridakis, Wheelwright & Hyndman 1998, §3/4; FPP3 §3.4):
// detrend by a centred moving average of order m (2×m when m is even), average each phase.
/**
 * Seasonal index of each phase `t mod period`, from the last `cycles` cycles (fewer when the
 * history is shorter) of `values[0, end)`, normalised to zero mean. A period < 2 or a history
 * shorter than two cycles gives zeros.
 *
 * @param values Gap-free history.
 * @param end Use `values[0, end)` only.
 * @param period Cycle length in points.
 * @param cycles Most recent cycles to average (≥ 1).
 * @returns `period` indices (one 0 when there is no season), by absolute phase.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonalIndices } from "./seasonal_indices.ts";
 * const y = Float64Array.from({ length: 12 }, (_, i) => i + (i % 2 ? 1 : -1));
 * assert.deepEqual([...seasonalIndices(y, 12, 2, 4)], [-1, 1]);
 * ```
 */
export function seasonalIndices(
  values: Float64Array,
  end: number,
  period: number,
  cycles: number,
): Float64Array {
  const m = Math.round(period);
  if (m < 2 || end < 2 * m) return new Float64Array(Math.max(1, m));
  const half = m >> 1, even = m % 2 === 0;
  const from = Math.max(half, end - half - Math.max(1, cycles) * m), to = end - half;
  const idx = new Float64Array(m), cnt = new Float64Array(m);
  let sum = 0;
  for (let i = from - half; i <= from + half; i++) sum += values[i]!;
  for (let t = from; t < to; t++) {
    const ma = even ? (sum - 0.5 * (values[t - half]! + values[t + half]!)) / m : sum / m;
    idx[t % m]! += values[t]! - ma, cnt[t % m]!++;
    if (t + 1 < to) sum += values[t + half + 1]! - values[t - half]!;
  }
  let mean = 0;
  for (let j = 0; j < m; j++) idx[j] = cnt[j]! ? idx[j]! / cnt[j]! : 0, mean += idx[j]! / m;
  for (let j = 0; j < m; j++) idx[j]! -= mean;
  return idx;
}
