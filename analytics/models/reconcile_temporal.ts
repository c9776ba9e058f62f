/**
 * Reconciliation of forecasts made at several temporal aggregation levels (temporal hierarchies
 * with structural scaling).
 *
 * @module
 */

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}

/** Inverse of a small symmetric positive definite matrix (row-major, Gauss–Jordan). */
function invert(a: Float64Array, size: number): Float64Array {
  const w = Float64Array.from(a), inv = new Float64Array(size * size);
  for (let i = 0; i < size; i++) inv[i * size + i] = 1;
  for (let c = 0; c < size; c++) {
    const p = w[c * size + c]!; // positive definite: no pivoting needed
    for (let j = 0; j < size; j++) w[c * size + j]! /= p, inv[c * size + j]! /= p;
    for (let r = 0; r < size; r++) {
      const f = w[r * size + c]!;
      if (r === c || !f) continue;
      for (let j = 0; j < size; j++) {
        w[r * size + j]! -= f * w[c * size + j]!, inv[r * size + j]! -= f * inv[c * size + j]!;
      }
    }
  }
  return inv;
}

// Athanasopoulos, Hyndman, Kourentzes & Petropoulos (2017), "Forecasting with temporal
// hierarchies", EJOR 262(1): b̃ = (SᵀΛ⁻¹S)⁻¹SᵀΛ⁻¹ŷ with Λ = diag(points summed by each node)
// ("structural scaling"). With bucket sums ŷ = k·F, SᵀΛ⁻¹ŷ at a base step is Σ_k F_k of the
// buckets holding it, and SᵀΛ⁻¹S = Σ_k (1/k)·(k×k blocks of ones).
/**
 * Base-step forecasts reconciled from forecasts of bucket means at several levels: the bottom
 * level of a temporal hierarchy whose nodes are the sums of each level's buckets, fitted by
 * weighted least squares with each node's variance taken as its number of points. With levels 1
 * and k alone, each bucket's base forecasts move by half the gap between the level-k forecast and
 * their own mean.
 *
 * @param levels Points per bucket of each level, one of them 1.
 * @param means Forecast bucket means per level, covering `span` base steps (`span / k` each).
 * @param span Base steps; a multiple of every level.
 * @returns The reconciled base-step forecasts (length `span`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reconcileTemporal } from "./reconcile_temporal.ts";
 * const f = reconcileTemporal([1, 2], [new Float64Array([1, 3]), new Float64Array([4])], 2);
 * assert.deepEqual([...f], [2, 4]); // base mean 2, the pair's 4: each moves half the gap
 * ```
 */
export function reconcileTemporal(
  levels: readonly number[],
  means: readonly Float64Array[],
  span: number,
): Float64Array {
  const K = levels.reduce((a, k) => (a * k) / gcd(a, k), 1);
  const a = new Float64Array(K * K);
  for (const k of levels) {
    for (let r = 0; r < K; r++) {
      const from = r - (r % k);
      for (let c = from; c < from + k; c++) a[r * K + c]! += 1 / k;
    }
  }
  const inv = invert(a, K), out = new Float64Array(span), rhs = new Float64Array(K);
  for (let b = 0; b < span; b += K) {
    rhs.fill(0);
    levels.forEach((k, l) => {
      for (let t = 0; t < K; t++) rhs[t]! += means[l]![Math.floor((b + t) / k)]!;
    });
    for (let r = 0; r < K; r++) {
      let s = 0;
      for (let c = 0; c < K; c++) s += inv[r * K + c]! * rhs[c]!;
      out[b + r] = s;
    }
  }
  return out;
}
