/**
 * The least-squares combination on the probability simplex: non-negative weights summing to 1
 * that minimise a quadratic form, solved exactly by an active set (session 28, for stacking).
 *
 * @module
 */

import { backward, cholesky, forward } from "../models/cholesky.ts";

// Lawson & Hanson (1974), "Solving Least Squares Problems", ch. 23 (NNLS), with the sum-to-one
// constraint kept in every subproblem: on a support P the minimum of wᵀSw with Σw = 1 is
// S_P⁻¹1 / 1ᵀS_P⁻¹1. Optimality (KKT): g = Sw equals λ = wᵀSw on the support and is ≥ λ off it;
// a candidate with g_c < λ enters, and a subproblem solution with a weight ≤ 0 is approached
// only as far as the first weight reaching 0, which then leaves. Each subproblem is a k ≤ ~20
// Cholesky solve, so the cost is negligible beside the backtest that produced S.
/**
 * Minimises wᵀ S w over w ≥ 0 with Σ w = 1 (the convex combination with the least squared error
 * when S is the candidates' error cross-product matrix: Granger & Ramanathan 1984 with Breiman's
 * 1996 non-negativity). S is regularised by 1e-10 × its largest diagonal entry, so duplicate or
 * collinear candidates still give a unique answer (ties go to the candidate entered first, the one
 * with the smallest diagonal). Starts from the candidate with the smallest diagonal entry.
 *
 * @param s Symmetric positive semi-definite k × k matrix, row-major (not modified).
 * @param k Its order (≥ 0).
 * @returns The weights (length k; empty for k = 0). With a non-finite entry in S: `NaN`s.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { simplexLeastSquares } from "./simplex_least_squares.ts";
 * // uncorrelated errors of variance 1 and 3: weights ∝ 1 / variance
 * const w = simplexLeastSquares(new Float64Array([1, 0, 0, 3]), 2);
 * assert.deepEqual([...w].map((x) => +x.toFixed(6)), [0.75, 0.25]);
 * // a second candidate whose errors are the first's, larger: no weight
 * assert.deepEqual([...simplexLeastSquares(new Float64Array([1, 1.2, 1.2, 2]), 2)], [1, 0]);
 * ```
 */
export function simplexLeastSquares(s: Float64Array, k: number): Float64Array {
  const w = new Float64Array(k);
  if (k === 0) return w;
  let top = 0, first = 0;
  for (let c = 0; c < k; c++) {
    const d = s[c * k + c]!;
    if (!(d >= 0) || !s.slice(c * k, c * k + k).every(Number.isFinite)) return w.fill(NaN);
    if (d > top) top = d;
    if (d < s[first * k + first]!) first = c;
  }
  const ridge = top > 0 ? top * 1e-10 : 1;
  const at = (i: number, j: number) => s[i * k + j]! + (i === j ? ridge : 0);
  const inSet = new Uint8Array(k), g = new Float64Array(k);
  w[first] = 1, inSet[first] = 1;
  const tol = 1e-12 * (top || 1);
  for (let round = 0; round < 4 * k + 8; round++) {
    let lambda = 0;
    for (let i = 0; i < k; i++) {
      let v = 0;
      for (let j = 0; j < k; j++) if (w[j]) v += at(i, j) * w[j]!;
      g[i] = v, lambda += w[i]! * v;
    }
    let enter = -1, most = -tol;
    for (let c = 0; c < k; c++) {
      if (!inSet[c] && g[c]! - lambda < most) most = g[c]! - lambda, enter = c;
    }
    if (enter < 0) break;
    inSet[enter] = 1;
    for (let inner = 0; inner < k; inner++) {
      const z = onSupport(at, inSet, k);
      if (!z) return w;
      let step = 1;
      for (let c = 0; c < k; c++) {
        if (inSet[c] && z[c]! <= 0) step = Math.min(step, w[c]! / (w[c]! - z[c]!));
      }
      for (let c = 0; c < k; c++) if (inSet[c]) w[c] = w[c]! + step * (z[c]! - w[c]!);
      if (step >= 1) break;
      for (let c = 0; c < k; c++) if (inSet[c] && w[c]! <= 1e-15) inSet[c] = 0, w[c] = 0;
    }
  }
  let sum = 0;
  for (let c = 0; c < k; c++) sum += w[c] = Math.max(0, w[c]!);
  for (let c = 0; c < k; c++) w[c] = w[c]! / sum;
  return w;
}

/** S_P⁻¹1 / 1ᵀS_P⁻¹1 on the support (0 off it), or `undefined` if S_P is not positive definite. */
function onSupport(
  at: (i: number, j: number) => number,
  inSet: Uint8Array,
  k: number,
): Float64Array | undefined {
  const idx: number[] = [];
  for (let c = 0; c < k; c++) if (inSet[c]) idx.push(c);
  const p = idx.length, a = new Float64Array(p * p), b = new Float64Array(p).fill(1);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) a[i * p + j] = at(idx[i]!, idx[j]!);
  if (!cholesky(a, p)) return undefined;
  forward(a, b, p), backward(a, b, p);
  let total = 0;
  for (let i = 0; i < p; i++) total += b[i]!;
  if (!(total > 0)) return undefined;
  const z = new Float64Array(k);
  idx.forEach((c, i) => z[c] = b[i]! / total);
  return z;
}
