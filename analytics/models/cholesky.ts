/**
 * Cholesky factorisation of a symmetric positive definite matrix and the two triangular solves.
 *
 * @module
 */

/**
 * Cholesky factor L (lower triangle, row-major) of the k × k matrix `a`, written over its lower
 * triangle (the strict upper triangle is left as it was and never read by the solves).
 *
 * @param a Symmetric positive definite matrix, row-major (overwritten).
 * @param k Its order.
 * @returns `false` when a pivot is not positive (not positive definite, or `NaN`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backward, cholesky, forward } from "./cholesky.ts";
 * const a = new Float64Array([4, 2, 2, 3]), b = new Float64Array([2, 5]);
 * assert.ok(cholesky(a, 2));
 * forward(a, b, 2), backward(a, b, 2); // b = A⁻¹b
 * assert.deepEqual([...b].map((v) => +v.toFixed(12)), [-0.5, 2]);
 * ```
 */
export function cholesky(a: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let p = 0; p < j; p++) d -= a[j * k + p]! ** 2;
    if (!(d > 0)) return false;
    d = Math.sqrt(d), a[j * k + j] = d;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= a[i * k + p]! * a[j * k + p]!;
      a[i * k + j] = s / d;
    }
  }
  return true;
}

/** Solves L w = b in place (`l` from {@linkcode cholesky}). */
export function forward(l: Float64Array, b: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * b[p]!;
    b[i] = s / l[i * k + i]!;
  }
}

/** Solves Lᵀ x = w in place (`l` from {@linkcode cholesky}). */
export function backward(l: Float64Array, b: Float64Array, k: number): void {
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * b[p]!;
    b[i] = s / l[i * k + i]!;
  }
}
