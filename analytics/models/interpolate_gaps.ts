/**
 * Filling gaps (`NaN`) so that smoothers can run over a series.
 *
 * @module
 */

/**
 * Replaces `NaN` and infinite values by linear interpolation between the nearest finite
 * neighbours; leading and trailing gaps take the nearest finite value. An all-missing or empty
 * series comes back as zeros of the same length.
 *
 * @param values The series.
 * @returns A new array without `NaN`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { interpolateGaps } from "./interpolate_gaps.ts";
 * assert.deepEqual([...interpolateGaps(new Float64Array([NaN, 1, NaN, 3, NaN]))], [1, 1, 2, 3, 3]);
 * ```
 */
export function interpolateGaps(values: Float64Array): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  let last = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    out[i] = v;
    if (last < 0) out.fill(v, 0, i);
    else if (i > last + 1) {
      const a = values[last]!, step = (v - a) / (i - last);
      for (let k = last + 1; k < i; k++) out[k] = a + step * (k - last);
    }
    last = i;
  }
  if (last >= 0) out.fill(values[last]!, last + 1);
  return out;
}
