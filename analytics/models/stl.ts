/**
 * STL: seasonal-trend decomposition by loess, one period.
 *
 * @module
 */

import { loess, loessAt } from "./loess.ts";

/** Options of {@linkcode stl}. */
export interface StlOptions {
  /** Seasonal smoother span in cycles, odd ≥ 7 (default 11). */
  seasonalWindow?: number;
  /** Trend smoother span in points (default: next odd ≥ 1.5·period / (1 − 1.5 / seasonalWindow)). */
  trendWindow?: number;
  /** Inner-loop passes (default 2). */
  inner?: number;
  /** Robustness (outer) passes; 0 for a non-robust fit (default 0). */
  outer?: number;
  /** Starting trend, e.g. from a previous call (default: zeros). Not modified. */
  initialTrend?: Float64Array;
  /** Starting robustness weights, e.g. from a previous call (default: ones). Not modified. */
  initialWeights?: Float64Array;
}

/** The result of {@linkcode stl}: `y = trend + seasonal + remainder`. */
export interface StlResult {
  /** Smooth long-term component. */
  trend: Float64Array;
  /** Periodic component, near zero mean over each cycle. */
  seasonal: Float64Array;
  /** What is left. */
  remainder: Float64Array;
  /** Final robustness weights (1 where the fit was not robust). */
  weights: Float64Array;
}

function odd(x: number): number {
  const k = Math.ceil(x);
  return k % 2 === 0 ? k + 1 : k;
}

function movingAverage(x: Float64Array, len: number, w: number): Float64Array {
  const out = new Float64Array(len - w + 1);
  let s = 0;
  for (let i = 0; i < w; i++) s += x[i]!;
  out[0] = s / w;
  for (let i = 1; i < out.length; i++) (s += x[i + w - 1]! - x[i - 1]!, out[i] = s / w);
  return out;
}

// Cleveland, Cleveland, McRae & Terpenning (1990), "STL", J. Official Statistics 6(1), 3–73.
/**
 * Decomposes a gap-free series into trend, seasonal and remainder with STL. Needs at least two
 * full periods; with fewer, the seasonal part is zero and the trend is a loess smooth.
 *
 * @param y Values without `NaN` (interpolate first).
 * @param period Length of the cycle in points (≥ 2).
 * @param options Windows and iteration counts.
 * @returns Trend, seasonal, remainder and robustness weights.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stl } from "./stl.ts";
 * const y = Float64Array.from({ length: 96 }, (_, i) => i / 10 + Math.sin((2 * Math.PI * i) / 12));
 * const { seasonal } = stl(y, 12);
 * assert.ok(Math.abs(seasonal[3]! - 1) < 0.1);
 * ```
 */
export function stl(y: Float64Array, period: number, options: StlOptions = {}): StlResult {
  const n = y.length;
  const np = Math.round(period);
  const ns = odd(Math.max(7, options.seasonalWindow ?? 11));
  const nt = odd(options.trendWindow ?? (1.5 * np) / (1 - 1.5 / ns));
  const nl = odd(np);
  const inner = options.inner ?? 2;
  const outer = options.outer ?? 0;
  const trend = options.initialTrend
    ? Float64Array.from(options.initialTrend)
    : new Float64Array(n);
  const seasonal = new Float64Array(n);
  const rw = options.initialWeights
    ? Float64Array.from(options.initialWeights)
    : new Float64Array(n).fill(1);
  if (np < 2 || n < 2 * np) {
    loess(y, odd(Math.max(3, Math.min(nt, n))), { out: trend, jump: Math.ceil(nt / 10) });
    return { trend, seasonal, remainder: y.map((v, i) => v - trend[i]!), weights: rw };
  }
  const c = new Float64Array(n + 2 * np);
  const deseason = new Float64Array(n);
  const maxSub = Math.ceil(n / np);
  const sub = new Float64Array(maxSub);
  const subW = new Float64Array(maxSub);
  for (let o = 0; o <= outer; o++) {
    for (let it = 0; it < inner; it++) {
      for (let k = 0; k < np; k++) {
        let m = 0;
        for (let i = k; i < n; i += np) (sub[m] = y[i]! - trend[i]!, subW[m] = rw[i]!, m++);
        const s = sub.subarray(0, m), w = subW.subarray(0, m);
        for (let j = -1; j <= m; j++) c[k + (j + 1) * np] = loessAt(s, ns, j, w);
      }
      const low = movingAverage(
        movingAverage(movingAverage(c, c.length, np), n + np + 1, np),
        n + 2,
        3,
      );
      const l = loess(low, nl, { jump: Math.ceil(nl / 10) });
      for (let i = 0; i < n; i++) {
        (seasonal[i] = c[i + np]! - l[i]!, deseason[i] = y[i]! - seasonal[i]!);
      }
      loess(deseason, nt, { weights: rw, jump: Math.ceil(nt / 10), out: trend });
    }
    if (o < outer) robustnessWeights(y, trend, seasonal, rw);
  }
  const remainder = new Float64Array(n);
  for (let i = 0; i < n; i++) remainder[i] = y[i]! - trend[i]! - seasonal[i]!;
  return { trend, seasonal, remainder, weights: rw };
}

function robustnessWeights(y: Float64Array, t: Float64Array, s: Float64Array, rw: Float64Array) {
  const n = y.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.abs(y[i]! - t[i]! - s[i]!);
  const sorted = Float64Array.from(r).sort();
  const mid = n >> 1;
  const med = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const h = 6 * med;
  for (let i = 0; i < n; i++) {
    const u = h > 0 ? r[i]! / h : 0;
    rw[i] = u < 1 ? (1 - u * u) ** 2 : 0;
  }
}
