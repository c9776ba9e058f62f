/**
 * Robust trend fits used by the capacity forecast: a Theil–Sen line and a Huber quadratic.
 * Both take `x` (e.g. days) and `y` as `Float64Array`s of equal length without NaN.
 *
 * @module
 */
import { medianInPlace } from "./capacity_util.ts";

/** A trend y = a + b·x + c·x² (c = 0 for a line). */
export interface TrendCoefficients {
  /** Value at x = 0. */
  a: number;
  /** Slope at x = 0. */
  b: number;
  /** Curvature (half the second derivative). */
  c: number;
}

/**
 * Fits a line by Theil–Sen: the slope is the median of all pairwise slopes (Sen 1968,
 * "Estimates of the regression coefficient based on Kendall's tau"), the intercept the median
 * of y − b·x. Resists up to ~29 % outliers. O(n²) time: pass binned series (n ≲ 200).
 *
 * Degenerate cases: n = 0 gives NaN coefficients; n = 1 or all x equal gives slope 0 and
 * intercept y's median.
 *
 * @param x Abscissae.
 * @param y Ordinates, same length.
 * @param scratch Optional buffer of at least n·(n−1)/2 entries, reused across calls.
 * @returns The line (c = 0).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { theilSen } from "./capacity_robust_fit.ts";
 * const fit = theilSen(Float64Array.of(0, 1, 2, 3, 4), Float64Array.of(1, 3, 5, 70, 9));
 * assert.deepEqual(fit, { a: 1, b: 2, c: 0 });
 * ```
 */
export function theilSen(
  x: Float64Array,
  y: Float64Array,
  scratch?: Float64Array,
): TrendCoefficients {
  const n = x.length;
  const pairs = (n * (n - 1)) >> 1;
  const s = scratch && scratch.length >= Math.max(pairs, n)
    ? scratch
    : new Float64Array(Math.max(pairs, n));
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = x[j]! - x[i]!;
      if (dx !== 0) s[m++] = (y[j]! - y[i]!) / dx;
    }
  }
  const b = m === 0 ? 0 : medianInPlace(s, m);
  for (let i = 0; i < n; i++) s[i] = y[i]! - b * x[i]!;
  return { a: medianInPlace(s, n), b, c: 0 };
}

/**
 * Fits y = a + b·x + c·x² by Huber M-estimation (Huber 1964) with iteratively reweighted least
 * squares, tuning constant 1.345 × MAD-scale (95 % efficiency under Gaussian noise).
 *
 * Degenerate cases: fewer than 3 points or collinear x² (fewer than 3 distinct x) gives NaN
 * coefficients; exact data converges at once.
 *
 * @param x Abscissae.
 * @param y Ordinates, same length.
 * @param iterations IRLS iterations; default 12.
 * @returns The quadratic.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { huberQuadratic } from "./capacity_robust_fit.ts";
 * const x = Float64Array.of(0, 1, 2, 3, 4, 5);
 * const fit = huberQuadratic(x, x.map((v) => 1 + 2 * v + 0.5 * v * v));
 * assert.ok(Math.abs(fit.c - 0.5) < 1e-9 && Math.abs(fit.a - 1) < 1e-9);
 * ```
 */
export function huberQuadratic(
  x: Float64Array,
  y: Float64Array,
  iterations = 12,
): TrendCoefficients {
  const n = x.length;
  const w = new Float64Array(n).fill(1);
  const r = new Float64Array(n);
  let fit: TrendCoefficients = { a: NaN, b: NaN, c: NaN };
  for (let it = 0; it <= iterations; it++) {
    const next = weightedQuadratic(x, y, w);
    if (!Number.isFinite(next.a)) return fit;
    fit = next;
    for (let i = 0; i < n; i++) r[i] = Math.abs(y[i]! - (fit.a + x[i]! * (fit.b + fit.c * x[i]!)));
    const k = 1.345 * medianInPlace(r.slice(), n) / 0.6745;
    if (!(k > 0)) break;
    for (let i = 0; i < n; i++) w[i] = r[i]! <= k ? 1 : k / r[i]!;
  }
  return fit;
}

/** Weighted least squares for a quadratic: normal equations solved by Cramer's rule. */
function weightedQuadratic(x: Float64Array, y: Float64Array, w: Float64Array): TrendCoefficients {
  // Centre x for conditioning, then shift the coefficients back.
  let sw = 0;
  let sx = 0;
  for (let i = 0; i < x.length; i++) (sw += w[i]!, sx += w[i]! * x[i]!);
  const mx = sx / sw;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = w[i]!;
    const u = x[i]! - mx;
    const u2 = u * u;
    s0 += wi, s1 += wi * u, s2 += wi * u2, s3 += wi * u2 * u, s4 += wi * u2 * u2;
    t0 += wi * y[i]!, t1 += wi * u * y[i]!, t2 += wi * u2 * y[i]!;
  }
  const det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
  if (!(Math.abs(det) > 1e-12 * s0 * s2 * s4) || x.length < 3) return { a: NaN, b: NaN, c: NaN };
  const a0 = (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det;
  const b0 = (s0 * (t1 * s4 - s3 * t2) - t0 * (s1 * s4 - s3 * s2) + s2 * (s1 * t2 - t1 * s2)) / det;
  const c0 = (s0 * (s2 * t2 - t1 * s3) - s1 * (s1 * t2 - t1 * s2) + t0 * (s1 * s3 - s2 * s2)) / det;
  return { a: a0 - b0 * mx + c0 * mx * mx, b: b0 - 2 * c0 * mx, c: c0 };
}
