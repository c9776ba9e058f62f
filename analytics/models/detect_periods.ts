/**
 * Automatic detection of seasonal periods from the autocorrelation function.
 *
 * @module
 */

import { autocorrelation } from "./autocorrelation.ts";
import { interpolateGaps } from "./interpolate_gaps.ts";
import { clip, detrend, phaseProfile, quantum, removePhaseMeans } from "./_period_util.ts";

/** Options of {@linkcode detectPeriods}. */
export interface DetectPeriodsOptions {
  /** Shortest period considered, in points (default 2). */
  minPeriod?: number;
  /** Longest period considered, in points (default ⌊n / 3⌋, so that three cycles are seen). */
  maxPeriod?: number;
  /** Minimum autocorrelation and seasonal strength at the period (default max(0.2, 3 / √n)). */
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
  /** Seasonal strength of the phase means at that period, max(0, 1 − Var(R) / Var(S + R)). */
  seasonalStrength: number;
}

// ACF peak picking with harmonic pruning, after Vlachos, Yu & Castelli (2005), "On periodicity
// detection and structural periodic similarity", SDM: candidate lags are prominent ACF hills.
/**
 * Finds seasonal periods: lags where the autocorrelation of the series (gaps interpolated, a
 * robust line and then a centred moving average of twice the longest period removed) has a
 * prominent local peak. A multiple of an accepted period is kept only where it stands out from
 * its neighbouring multiples (e.g. weekly on top of daily). Values beyond 5 robust deviations
 * are clipped. A peak is accepted only if its seasonal profile (phase means after a moving
 * average over one period) is taller than the input's resolution, the smallest gap between
 * distinct values, and its seasonal strength reaches `threshold`: the autocorrelation of a
 * stepped or block-rounded linear fill (`Math.round(i / 3)`, bytes in 4 KiB blocks) is
 * periodic, but its "season" is rounding, so such series give `[]`. A cycle smaller than one
 * quantum of an integer series is not reported either. Empty, short (< 2·minPeriod + 2),
 * constant and all-`NaN` input give `[]`.
 *
 * @param values The series (`NaN` for missing).
 * @param options Period range, threshold, count.
 * @returns Periods sorted shortest first, each with its autocorrelation and seasonal strength.
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
  const step = quantum(values);
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
    const profile = phaseProfile(x, best);
    // A cycle no taller than the input's resolution is the rounding of a trend (a stepped
    // fill, a counter in 4 KiB blocks), and one that explains little variance is not a season.
    if (profile.range <= step || profile.strength < threshold) continue;
    found.push({ period: best, strength: acf[best]!, seasonalStrength: profile.strength });
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
