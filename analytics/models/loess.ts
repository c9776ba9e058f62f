/**
 * Local linear regression (loess) over equally spaced points, the smoother inside STL.
 *
 * @module
 */

/** Options of {@linkcode loess}. */
export interface LoessOptions {
  /** Robustness weights, one per point (default: all 1). */
  weights?: Float64Array;
  /** Fit every `jump`-th point and interpolate linearly between them (default 1). */
  jump?: number;
  /** Output array of `y.length` (default: a new array). */
  out?: Float64Array;
}

// Cleveland, Cleveland, McRae & Terpenning (1990), STL, J. Official Statistics 6(1): loess step.
/**
 * Evaluates a degree-1 loess fit of `y` (at positions 0…n-1) at position `x`, using the `q`
 * nearest points with tricube weights times `weights`. Where `q > n` the bandwidth widens as in
 * STL. Returns `NaN` for an empty series, the weighted mean where the fit is singular, and the
 * unweighted fit where all robustness weights in the window are zero.
 *
 * @param y Values at positions 0…n-1 (no `NaN`).
 * @param q Number of neighbours (≥ 2).
 * @param x Position to evaluate, may lie outside 0…n-1 (extrapolation by one step in STL).
 * @param weights Robustness weights or `undefined`.
 * @returns The fitted value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loessAt } from "./loess.ts";
 * assert.ok(Math.abs(loessAt(new Float64Array([0, 1, 2, 3]), 3, 4, undefined) - 4) < 1e-9);
 * ```
 */
export function loessAt(
  y: Float64Array,
  q: number,
  x: number,
  weights: Float64Array | undefined,
): number {
  const n = y.length;
  if (n === 0) return NaN;
  let lo: number, hi: number;
  if (q >= n) (lo = 0, hi = n - 1);
  else {
    lo = Math.min(Math.max(0, Math.round(x - (q - 1) / 2)), n - q);
    hi = lo + q - 1;
  }
  let h = Math.max(x - lo, hi - x);
  if (q > n) h += Math.floor((q - n) / 2);
  const h9 = 0.999 * h, h1 = 0.001 * h;
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let j = lo; j <= hi; j++) {
    const d = Math.abs(j - x);
    let w = 0;
    if (d <= h1) w = 1;
    else if (d <= h9) {
      const r = d / h;
      const c = 1 - r * r * r;
      w = c * c * c;
    }
    if (weights !== undefined) w *= weights[j]!;
    if (w <= 0) continue;
    const dx = j - x;
    sw += w, sx += w * dx, sy += w * y[j]!, sxx += w * dx * dx, sxy += w * dx * y[j]!;
  }
  if (sw <= 0) return weights === undefined ? NaN : loessAt(y, q, x, undefined);
  const mx = sx / sw, my = sy / sw;
  const v = sxx / sw - mx * mx;
  if (v <= 1e-12 * (h * h + 1)) return my;
  return my - mx * ((sxy / sw - mx * my) / v);
}

/**
 * Smooths a series with degree-1 loess of `q` neighbours at every point (or every `jump`-th
 * point, interpolated). Empty input gives an empty output.
 *
 * @param y Values (no `NaN`).
 * @param q Number of neighbours (≥ 2).
 * @param options Robustness weights, jump, output array.
 * @returns The smoothed series.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loess } from "./loess.ts";
 * const s = loess(new Float64Array([1, 2, 3, 4, 5]), 3);
 * assert.ok(Math.abs(s[2]! - 3) < 1e-9);
 * ```
 */
export function loess(y: Float64Array, q: number, options: LoessOptions = {}): Float64Array {
  const n = y.length;
  const out = options.out ?? new Float64Array(n);
  const jump = Math.max(1, Math.min(options.jump ?? 1, n - 1));
  let prev = 0;
  for (let i = 0; i < n; i += jump) {
    out[i] = loessAt(y, q, i, options.weights);
    if (i > prev + 1) interpolate(out, prev, i);
    prev = i;
  }
  if (n > 0 && prev !== n - 1) {
    out[n - 1] = loessAt(y, q, n - 1, options.weights);
    interpolate(out, prev, n - 1);
  }
  return out;
}

function interpolate(out: Float64Array, a: number, b: number): void {
  const slope = (out[b]! - out[a]!) / (b - a);
  for (let k = a + 1; k < b; k++) out[k] = out[a]! + slope * (k - a);
}
