/**
 * Automatic detection of seasonal periods from the autocorrelation function.
 *
 * @module
 */

import { autocorrelation } from "./autocorrelation.ts";
import { interpolateGaps } from "./interpolate_gaps.ts";

/** Options of {@linkcode detectPeriods}. */
export interface DetectPeriodsOptions {
  /** Shortest period considered, in points (default 2). */
  minPeriod?: number;
  /** Longest period considered, in points (default ⌊n / 3⌋, so that three cycles are seen). */
  maxPeriod?: number;
  /** Minimum autocorrelation at the period (default max(0.2, 3 / √n)). */
  threshold?: number;
  /** At most this many periods, shortest first (default 3). */
  maxCount?: number;
}

/** One detected period. */
export interface DetectedPeriod {
  /** Length of the cycle in points. */
  period: number;
  /** Autocorrelation of the detrended series at that lag, in (0, 1]. */
  strength: number;
}

function detrend(x: Float64Array, window: number): Float64Array {
  const n = x.length;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) (sx += i, sy += x[i]!, sxx += i * i, sxy += i * x[i]!);
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
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

// ACF peak picking with harmonic pruning, after Vlachos, Yu & Castelli (2005), "On periodicity
// detection and structural periodic similarity", SDM: candidate lags are prominent ACF hills.
/**
 * Finds seasonal periods: lags where the autocorrelation of the series (gaps interpolated, slow
 * trend removed by a centred moving average of twice the longest period) has a prominent local
 * peak. A multiple of an accepted period is kept only where it stands out from its neighbouring
 * multiples (e.g. weekly on top of daily). Values beyond 5 robust deviations are clipped. Empty, short (< 2·minPeriod + 2), constant and
 * all-`NaN` input give `[]`.
 *
 * @param values The series (`NaN` for missing).
 * @param options Period range, threshold, count.
 * @returns Periods sorted shortest first, each with its autocorrelation.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectPeriods } from "./detect_periods.ts";
 * const y = Float64Array.from({ length: 240 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
 * assert.equal(detectPeriods(y)[0]?.period, 24);
 * ```
 */
export function detectPeriods(
  values: Float64Array,
  options: DetectPeriodsOptions = {},
): DetectedPeriod[] {
  const n = values.length;
  const minPeriod = Math.max(2, Math.round(options.minPeriod ?? 2));
  const maxPeriod = Math.min(Math.floor(n / 2), Math.round(options.maxPeriod ?? n / 3));
  if (n < 2 * minPeriod + 2 || maxPeriod < minPeriod) return [];
  let finite = 0;
  for (const v of values) if (Number.isFinite(v)) finite++;
  if (finite < 2 * minPeriod + 2) return [];
  const threshold = options.threshold ?? Math.max(0.2, 3 / Math.sqrt(n));
  const x = clip(detrend(interpolateGaps(values), 2 * maxPeriod + 1));
  let acf = autocorrelation(x, n - 1);
  const found: DetectedPeriod[] = [];
  for (let p = minPeriod; p <= maxPeriod; p++) {
    const r = acf[p]!;
    if (r < threshold) continue;
    const w = Math.max(1, Math.round(p / 10));
    let top = true;
    for (let k = Math.max(1, p - w); k <= Math.min(n - 1, p + w) && top; k++) top = acf[k]! <= r;
    if (!top) continue;
    let trough = r;
    for (let k = Math.floor(p / 2); k < p; k++) trough = Math.min(trough, acf[k]!);
    if (r - trough < threshold) continue;
    const best = refine(acf, p, w, found);
    found.push({ period: best, strength: acf[best]! });
    if (found.length >= (options.maxCount ?? 3)) break;
    removePhaseMeans(x, best);
    acf = autocorrelation(x, n - 1);
    p = best + w;
  }
  return found;
}

/**
 * The vertex of a least-squares parabola through the ACF hill around `p`, snapped to a multiple
 * of an already accepted period when one lies within the hill (cycles nest: hour, day, week).
 */
function refine(acf: Float64Array, p: number, w: number, found: DetectedPeriod[]): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
  for (let d = -w; d <= w; d++) {
    const a = acf[p + d] ?? 0;
    s0++, s1 += d, s2 += d * d, s3 += d * d * d, s4 += d * d * d * d;
    t0 += a, t1 += a * d, t2 += a * d * d;
  }
  // Normal equations of a + b·d + c·d²; s1 = s3 = 0 by symmetry.
  const c = (s0 * t2 - s2 * t0) / (s0 * s4 - s2 * s2), b = t1 / s2;
  let best = c < 0 ? Math.round(p - b / (2 * c)) : p;
  if (Math.abs(best - p) > w) best = p;
  for (const f of found) {
    const m = Math.round(best / f.period) * f.period;
    if (m > 0 && Math.abs(m - best) <= w / 2) best = m;
  }
  return best;
}

/** Winsorises at the median ± 5 robust standard deviations so that outliers do not dominate. */
function clip(x: Float64Array): Float64Array {
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

function removePhaseMeans(x: Float64Array, p: number): void {
  const sums = new Float64Array(p), counts = new Float64Array(p);
  for (let i = 0; i < x.length; i++) {
    (sums[i % p] = sums[i % p]! + x[i]!, counts[i % p] = counts[i % p]! + 1);
  }
  for (let i = 0; i < x.length; i++) x[i] = x[i]! - sums[i % p]! / counts[i % p]!;
}
