/**
 * Sample quantiles of a typed array by in-place selection (no copy, no sort).
 *
 * @module
 */

/** Moves the k-th smallest of `a[lo, hi]` (inclusive) to index k (Hoare's FIND, median of 3). */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as pivot: sorted data (common after a scale step) stays linear
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i, j), i++, j--;
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!, a[j] = t;
}

// The R-7 definition (Hyndman & Fan 1996, "Sample quantiles in statistical packages", TAS
// 50(4)): h = (n − 1)p, linear between the order statistics ⌊h⌋ and ⌊h⌋ + 1, as d3-array's
// `quantile`, which copied and re-scanned the array on every call: the cross-validated coverage
// of every candidate calls this hundreds of times per forecast.
/**
 * R-7 quantiles of `values` at ascending levels `levels`, reordering `values` in place. The
 * selections narrow each other (the lower level searches only below the higher one's rank), so
 * two levels cost about one selection. `NaN` values are not allowed; an empty array gives `NaN`s.
 *
 * @param values Finite numbers (reordered).
 * @param levels Levels in [0, 1], ascending.
 * @returns One quantile per level.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectQuantiles } from "./select_quantile.ts";
 * const q = selectQuantiles(Float64Array.from([5, 1, 4, 2, 3]), [0.25, 0.5, 0.9]);
 * assert.deepEqual(q.map((v) => +v.toFixed(6)), [2, 3, 4.6]);
 * ```
 */
export function selectQuantiles(values: Float64Array, levels: readonly number[]): number[] {
  const n = values.length;
  if (!n) return levels.map(() => NaN);
  const out = new Array<number>(levels.length);
  let hi = n - 1;
  for (let l = levels.length - 1; l >= 0; l--) {
    const h = (n - 1) * Math.min(1, Math.max(0, levels[l]!)), k = Math.floor(h);
    let upper = NaN;
    if (k + 1 <= hi && h > k) {
      select(values, k + 1, 0, hi);
      upper = values[k + 1]!;
      hi = k + 1;
    }
    select(values, k, 0, hi);
    const v = values[k]!;
    if (h > k && upper !== upper) {
      // k + 1 lies beyond a higher level's rank: the smallest value above k is the next one
      let m = Infinity;
      for (let i = k + 1; i < n; i++) if (values[i]! < m) m = values[i]!;
      upper = m;
    }
    out[l] = h > k ? v + (h - k) * (upper - v) : v;
    hi = k;
  }
  return out;
}
