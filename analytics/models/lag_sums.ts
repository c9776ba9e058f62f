/**
 * Sums of a series and of its lagged products over any range, from prefix sums.
 *
 * @module
 */

/** Range sums of {@linkcode lagSums}. */
export interface LagSums {
  /** Σ y[t + p] for t = a…c. */
  sum(a: number, c: number, p: number): number;
  /** Σ y[t + p] · y[t + q] for t = a…c. */
  dot(a: number, c: number, p: number, q: number): number;
}

/**
 * Range sums of `values` and of its products at any lag, each O(1) after an O(n) prefix pass per
 * lag (made on first use), so normal equations of lag regressions can be assembled for any span
 * of windows without a pass over them. Indices must stay inside the series (not checked).
 *
 * @param values The series.
 * @returns The range sums.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lagSums } from "./lag_sums.ts";
 * const s = lagSums(new Float64Array([1, 2, 3, 4]));
 * assert.equal(s.sum(1, 2, 1), 7);
 * assert.equal(s.dot(1, 2, -1, 0), 1 * 2 + 2 * 3);
 * ```
 */
export function lagSums(values: Float64Array): LagSums {
  const n = values.length, prefix: Float64Array[] = [];
  const level = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) level[i + 1] = level[i]! + values[i]!;
  /** P_d[s] = Σ_{r < s} y[r] · y[r + d] (r + d < n). */
  function products(d: number): Float64Array {
    let p = prefix[d];
    if (p) return p;
    p = prefix[d] = new Float64Array(n + 1);
    for (let r = 0; r < n; r++) p[r + 1] = p[r]! + (r + d < n ? values[r]! * values[r + d]! : 0);
    return p;
  }
  return {
    sum: (a, c, p) => level[c + p + 1]! - level[a + p]!,
    dot(a, c, p, q) {
      const lo = p < q ? p : q, pd = prefix[Math.abs(q - p)] ?? products(Math.abs(q - p));
      return pd[c + lo + 1]! - pd[a + lo]!;
    },
  };
}
