/**
 * Helpers of `detectPeriods`: robust detrending, winsorising, the input's quantum and the
 * seasonal profile of a candidate period.
 *
 * @module
 */

// Slope as the median of the pairwise slopes half a series apart: a Theil (1950) / Sen (1968)
// estimator restricted to n/2 pairs, O(n log n), unmoved by outliers and level shifts.
/**
 * Removes a robust straight line, then a centred moving average of `window` points, in place
 * for the line; returns the moving-average residual as a new array.
 */
export function detrend(x: Float64Array, window: number): Float64Array {
  const n = x.length, lag = n >> 1;
  const slopes = new Float64Array(n - lag);
  for (let i = 0; i + lag < n; i++) slopes[i] = (x[i + lag]! - x[i]!) / lag;
  slopes.sort();
  const slope = slopes.length ? slopes[slopes.length >> 1]! : 0;
  for (let i = 0; i < n; i++) x[i] = x[i]! - slope * i;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  const half = window >> 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half), b = Math.min(n, i + half + 1);
    out[i] = x[i]! - (prefix[b]! - prefix[a]!) / (b - a);
  }
  return out;
}

/** Winsorises at the median ± 5 robust standard deviations so that outliers do not dominate. */
export function clip(x: Float64Array): Float64Array {
  const sorted = Float64Array.from(x).sort();
  const med = sorted[sorted.length >> 1]!;
  const dev = x.map((v) => Math.abs(v - med)).sort();
  const r = 5 * 1.4826 * dev[dev.length >> 1]!;
  if (r > 0) {
    for (let i = 0; i < x.length; i++) {
      x[i] = Math.min(med + r, Math.max(med - r, x[i]!));
    }
  }
  return x;
}

/**
 * The resolution of the input: the smallest gap between distinct finite values (4 KiB for
 * file-system bytes, 1 for counts; about 0 for noisy floats). 0 with fewer than two distinct.
 */
export function quantum(values: Float64Array): number {
  const v = values.filter(Number.isFinite).sort();
  let q = Infinity;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[i - 1]!) q = Math.min(q, v[i]! - v[i - 1]!);
  return Number.isFinite(q) ? q : 0;
}

/** Peak-to-peak range of the phase means at period `p` and the share of variance they explain. */
export interface PhaseProfile {
  /** max − min of the phase means. */
  range: number;
  /** Seasonal strength max(0, 1 − Var(R) / Var(S + R)), variances per degree of freedom. */
  strength: number;
}

// Wang, Smith & Hyndman (2006), "Characteristic-based clustering for time series data", DMKD
// 13(3): F_S = max(0, 1 − Var(R)/Var(S + R)), on a classical decomposition (trend: centred
// moving average over one period, 2×p for even p; S: phase means of the rest), with both
// variances divided by their degrees of freedom as in an adjusted R², so that p phase means
// fitted to noise do not score p / n.
/** The phase-mean profile of `x` at period `p`, `x` detrended by a moving average over `p`. */
export function phaseProfile(x: Float64Array, p: number): PhaseProfile {
  const n = x.length, half = p >> 1, even = p % 2 === 0;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  const d = new Float64Array(n).fill(NaN);
  for (let i = half; i + half < n; i++) {
    let s = prefix[i + half + 1]! - prefix[i - half]!;
    if (even) s -= (x[i - half]! + x[i + half]!) / 2;
    d[i] = x[i]! - s / p;
  }
  const sums = new Float64Array(p), counts = new Float64Array(p);
  let mean = 0, k = 0;
  for (let i = half; i + half < n; i++) {
    (sums[i % p] = sums[i % p]! + d[i]!, counts[i % p] = counts[i % p]! + 1);
    mean += (d[i]! - mean) / ++k;
  }
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j < p; j++) {
    sums[j] = counts[j]! ? sums[j]! / counts[j]! : 0;
    lo = Math.min(lo, sums[j]!), hi = Math.max(hi, sums[j]!);
  }
  let ssr = 0, sst = 0;
  for (let i = half; i + half < n; i++) {
    ssr += (d[i]! - sums[i % p]!) ** 2, sst += (d[i]! - mean) ** 2;
  }
  const strength = sst > 0 && k > p ? Math.max(0, 1 - ssr / (k - p) / (sst / (k - 1))) : 0;
  return { range: hi - lo, strength };
}

/** Subtracts the phase means at period `p`, in place. */
export function removePhaseMeans(x: Float64Array, p: number): void {
  const sums = new Float64Array(p), counts = new Float64Array(p);
  for (let i = 0; i < x.length; i++) {
    (sums[i % p] = sums[i % p]! + x[i]!, counts[i % p] = counts[i % p]! + 1);
  }
  for (let i = 0; i < x.length; i++) x[i] = x[i]! - sums[i % p]! / counts[i % p]!;
}
