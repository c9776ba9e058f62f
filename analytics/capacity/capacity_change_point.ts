/**
 * Where a growing series last changed course: the start of the last segment of an optimal
 * piecewise-linear partition (segments need not join, so a log rotation's drop is a break too).
 *
 * @module
 */
import { medianInPlace } from "./capacity_util.ts";

/** Options of {@linkcode lastChangePoint}. */
export interface LastChangePointOptions {
  /** Fewest points in a segment; default max(6, 10 % of the points). */
  minLength?: number;
}

/**
 * The index where the last segment of a penalized least-squares partition into lines starts
 * (0 when the series is best taken as one line). Optimal partitioning (Jackson et al. 2005,
 * IEEE SPL 12:105) with one penalty per segment of 3·σ²·ln n, the BIC's price of a line's two
 * coefficients and its start; σ is estimated from the second differences (1.4826·MAD/√6),
 * which a trend's slope and its few breaks do not move.
 *
 * Degenerate cases: fewer than two minimal segments, or no noise at all in the second
 * differences of a series that is not one line, are still answered (0, or the exact break).
 *
 * @param x Abscissae, ascending.
 * @param y Ordinates, same length, no NaN.
 * @param options Segment length.
 * @returns The index of the last segment's first point.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastChangePoint } from "./capacity_change_point.ts";
 * const x = Float64Array.from({ length: 60 }, (_, i) => i);
 * assert.equal(lastChangePoint(x, x.map((v) => (v < 40 ? v : v - 25))), 40); // a log rotation
 * assert.equal(lastChangePoint(x, x.map((v) => 2 * v)), 0);
 * ```
 */
export function lastChangePoint(
  x: Float64Array,
  y: Float64Array,
  options: LastChangePointOptions = {},
): number {
  const from = partition(x, y, options);
  return from ? from[x.length]! : 0;
}

/** Optimal partitioning: `from[j]` is where the segment ending before j starts; null: too short. */
function partition(
  x: Float64Array,
  y: Float64Array,
  options: LastChangePointOptions,
): Int32Array | null {
  const n = x.length;
  const minLength = Math.max(3, options.minLength ?? Math.max(6, Math.round(0.1 * n)));
  if (n < 2 * minLength) return null;
  // Centre and scale both axes so the prefix sums of squares keep their precision.
  const x0 = x[0]!, xs = x[n - 1]! - x0 || 1;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) (lo = Math.min(lo, y[i]!), hi = Math.max(hi, y[i]!));
  const ys = hi - lo || 1;
  const sx = new Float64Array(n + 1), sy = new Float64Array(n + 1);
  const sxx = new Float64Array(n + 1), sxy = new Float64Array(n + 1), syy = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const u = (x[i]! - x0) / xs, v = (y[i]! - lo) / ys;
    (sx[i + 1] = sx[i]! + u, sy[i + 1] = sy[i]! + v);
    (sxx[i + 1] = sxx[i]! + u * u, sxy[i + 1] = sxy[i]! + u * v, syy[i + 1] = syy[i]! + v * v);
  }
  const sse = (i: number, j: number) => {
    const k = j - i;
    const mx = (sx[j]! - sx[i]!) / k, my = (sy[j]! - sy[i]!) / k;
    const cxx = sxx[j]! - sxx[i]! - k * mx * mx;
    const cxy = sxy[j]! - sxy[i]! - k * mx * my;
    const cyy = syy[j]! - syy[i]! - k * my * my;
    return Math.max(0, cxx > 0 ? cyy - (cxy * cxy) / cxx : cyy);
  };
  const d2 = new Float64Array(n - 2);
  for (let i = 0; i < n - 2; i++) d2[i] = Math.abs((y[i + 2]! - 2 * y[i + 1]! + y[i]!) / ys);
  const sigma = (1.4826 * medianInPlace(d2, n - 2)) / Math.sqrt(6);
  const penalty = Math.max(3 * sigma * sigma * Math.log(n), 1e-12);
  const cost = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  cost[0] = -penalty;
  for (let j = minLength; j <= n; j++) {
    for (let i = 0; i <= j - minLength; i++) {
      if (!Number.isFinite(cost[i]!)) continue;
      const c = cost[i]! + sse(i, j) + penalty;
      if (c < cost[j]!) (cost[j] = c, from[j] = i);
    }
  }
  return from;
}
