/**
 * The seasonal side of the capacity forecast: a robust per-phase profile (e.g. the daily cycle
 * of disk usage) and the first time a trend plus that profile reaches a threshold.
 *
 * @module
 */
import { firstAtOrAbove, medianInPlace } from "./capacity_util.ts";
import type { TrendCoefficients } from "./capacity_robust_fit.ts";

const DAY = 86_400_000;

/** A repeating pattern: `values[k]` applies to phase bin k of each period (aligned to the epoch). */
export interface SeasonalProfile {
  /** Period in ms, e.g. 86 400 000 for a daily cycle. */
  periodMs: number;
  /** One offset per phase bin, centred to mean zero. */
  values: Float64Array;
  /** The centred phase-bin medians it was smoothed from, and each bin's point count. */
  medians?: Float64Array;
  counts?: Int32Array;
  /** Mean phase (0..1) of each bin's points, used as its position when smoothing. */
  phases?: Float64Array;
  /**
   * How the cycle's amplitude follows the level: at level L the offsets are multiplied by
   * 1 + slope·(L − ref). Absent or slope 0: an additive cycle; slope 1/ref: a multiplicative one
   * (amplitude proportional to the level).
   */
  scale?: { ref: number; slope: number };
}

/** Options of {@linkcode seasonalProfile}. */
export interface SeasonalProfileOptions {
  /** Season length in ms, e.g. 86 400 000. */
  periodMs: number;
  /** Phase bins whose medians are taken. */
  bins: number;
  /** Fourier harmonics kept when smoothing the medians; default 3 (0: no smoothing). */
  harmonics?: number;
  /** Phase bins of the returned profile; default 96 (15 min for a day). */
  resolution?: number;
}

/**
 * Estimates a seasonal profile: the median of the detrended values in each phase bin (a robust
 * version of the classical decomposition's seasonal step, Kendall & Stuart 1983), centred and
 * smoothed by keeping the first `harmonics` terms of its Fourier series (as in TBATS' trigonometric
 * seasonality, De Livera et al. 2011). Smoothing matters here: the forecast looks for the daily
 * peak, and the largest of many noisy bin medians overstates the peak.
 *
 * Degenerate cases: phase bins with no point count as 0; all-empty gives an all-zero profile.
 *
 * @param ts Timestamps in ms.
 * @param detrended Values with the trend removed, same length, no NaN.
 * @param options Period, bins and smoothing.
 * @returns The profile.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonalProfile } from "./capacity_season.ts";
 * const ts = Float64Array.from({ length: 96 }, (_, i) => i * 1_800_000);
 * const wave = ts.map((t) => Math.sin(2 * Math.PI * t / 86_400_000));
 * const p = seasonalProfile(ts, wave, { periodMs: 86_400_000, bins: 48, resolution: 4 });
 * assert.ok(Math.abs(p.values[0]! - Math.sin(Math.PI / 4)) < 0.02);
 * ```
 */
export function seasonalProfile(
  ts: Float64Array,
  detrended: Float64Array,
  options: SeasonalProfileOptions,
): SeasonalProfile {
  const { periodMs, bins } = options;
  const harmonics = Math.min(options.harmonics ?? 3, Math.floor((bins - 1) / 2));
  const width = periodMs / bins;
  const counts = new Int32Array(bins);
  const phases = Float64Array.from({ length: bins }, (_, k) => (k + 0.5) / bins);
  const sums = new Float64Array(bins);
  for (const t of ts) {
    const k = phaseBin(t, periodMs, width);
    counts[k]!++;
    sums[k]! += (((t % periodMs) + periodMs) % periodMs) / periodMs;
  }
  for (let k = 0; k < bins; k++) if (counts[k]! > 0) phases[k] = sums[k]! / counts[k]!;
  const offsets = new Int32Array(bins + 1);
  for (let k = 0; k < bins; k++) offsets[k + 1] = offsets[k]! + counts[k]!;
  const sorted = new Float64Array(ts.length);
  const fill = offsets.slice(0, bins);
  for (let i = 0; i < ts.length; i++) {
    sorted[fill[phaseBin(ts[i]!, periodMs, width)]!++] = detrended[i]!;
  }
  const medians = new Float64Array(bins);
  let mean = 0;
  for (let k = 0; k < bins; k++) {
    if (counts[k]! > 0) {
      medians[k] = medianInPlace(sorted.subarray(offsets[k]!, offsets[k + 1]!), counts[k]!);
    }
    mean += medians[k]! / bins;
  }
  for (let k = 0; k < bins; k++) medians[k]! -= mean;
  if (harmonics <= 0) return { periodMs, values: medians, medians, counts, phases };
  const resolution = options.resolution ?? 96;
  const values = smoothProfile(medians, { harmonics, resolution, phases });
  return { periodMs, values, medians, counts, phases };
}

/**
 * Keeps the first harmonics of a periodic profile sampled at bin centres (a truncated discrete
 * Fourier series) and evaluates it at `resolution` bin centres.
 *
 * @param medians One value per phase bin, centred.
 * @param options `harmonics` kept, output `resolution`, and optionally each input bin's
 * position as a phase in [0, 1) (default the bin centres).
 * @returns The smoothed profile.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smoothProfile } from "./capacity_season.ts";
 * const p = smoothProfile(Float64Array.of(1, -1, 1, -1), { harmonics: 1, resolution: 4 });
 * assert.ok(p.every((v) => Math.abs(v) < 1e-12)); // alternation is the 2nd harmonic
 * ```
 */
export function smoothProfile(
  medians: Float64Array,
  options: { harmonics: number; resolution: number; phases?: Float64Array | undefined },
): Float64Array {
  const bins = medians.length;
  const { harmonics, resolution, phases } = options;
  const values = new Float64Array(resolution);
  for (let j = 1; j <= harmonics; j++) {
    let re = 0;
    let im = 0;
    for (let k = 0; k < bins; k++) {
      const angle = 2 * Math.PI * j * (phases ? phases[k]! : (k + 0.5) / bins);
      re += medians[k]! * Math.cos(angle) * 2 / bins;
      im += medians[k]! * Math.sin(angle) * 2 / bins;
    }
    for (let r = 0; r < resolution; r++) {
      const angle = 2 * Math.PI * j * (r + 0.5) / resolution;
      values[r]! += re * Math.cos(angle) + im * Math.sin(angle);
    }
  }
  return values;
}

/**
 * The profile's offset at a time.
 *
 * @param profile The profile.
 * @param t Time in ms.
 * @returns The offset for t's phase bin.
 */
export function profileAt(profile: SeasonalProfile, t: number): number {
  const bins = profile.values.length;
  return profile.values[phaseBin(t, profile.periodMs, profile.periodMs / bins)]!;
}

function phaseBin(t: number, period: number, width: number): number {
  const phase = ((t % period) + period) % period;
  return Math.min(Math.floor(phase / width), Math.round(period / width) - 1);
}

/**
 * The first time at or after `now` where trend(x) + profile reaches `threshold`, with the trend
 * in days since `now`. Walks the profile's phase bins (the trend is a quadratic inside each),
 * starting where the trend plus the profile's maximum first reaches the threshold.
 *
 * @param trend Coefficients over x = days since `now`.
 * @param threshold Level to reach.
 * @param options `now` (ms), `horizonDays`, optional `profile`.
 * @returns Days from `now` to the crossing, or `Infinity` when not within the horizon.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossingDays } from "./capacity_season.ts";
 * assert.equal(crossingDays({ a: 10, b: 2, c: 0 }, 20, { now: 0, horizonDays: 30 }), 5);
 * assert.equal(crossingDays({ a: 10, b: 2, c: 0 }, 20, { now: 0, horizonDays: 3 }), Infinity);
 * ```
 */
export function crossingDays(
  trend: TrendCoefficients,
  threshold: number,
  options: { now: number; horizonDays: number; profile?: SeasonalProfile | undefined },
): number {
  const { now, horizonDays, profile } = options;
  const { a, b, c } = trend;
  if (!profile) {
    const x = firstAtOrAbove(a - threshold, b, c, 0, horizonDays);
    return Number.isNaN(x) ? Infinity : x;
  }
  // With a level-scaled cycle, trend + p·(1 + k·(trend − ref)) ≥ limit is
  // trend ≥ (limit − p·(1 − k·ref)) / (1 + k·p): a threshold per phase offset p.
  const k = profile.scale?.slope ?? 0, ref = profile.scale?.ref ?? 0;
  const limitAt = (p: number) =>
    k === 0
      ? threshold - p
      : 1 + k * p > 0
      ? (threshold - p * (1 - k * ref)) / (1 + k * p)
      : Infinity;
  let lowest = Infinity;
  for (const v of profile.values) lowest = Math.min(lowest, limitAt(v));
  let start = firstAtOrAbove(a - lowest, b, c, 0, horizonDays);
  if (Number.isNaN(start)) return Infinity;
  // The profile is read as a curve through its bin centres (linear in between), so a crossing
  // near a peak moves smoothly with the trend instead of jumping between bin edges.
  const values = profile.values, bins = values.length;
  const width = profile.periodMs / bins / DAY;
  const origin = now / DAY;
  const level = (x: number) => a + x * (b + c * x);
  const gap = (x: number, p: number) => {
    const l = level(x);
    return l + p * (1 + k * (l - ref)) - threshold;
  };
  // Segments run from one bin centre to the next; `r` is the bin whose centre starts it.
  let seg = Math.floor((origin + start) / width - 0.5 + 1e-9);
  while (start <= horizonDays) {
    const s0 = (seg + 0.5) * width - origin, end = Math.min(s0 + width, horizonDays);
    const r = ((seg % bins) + bins) % bins;
    const p0 = values[r]!, p1 = values[(r + 1) % bins]!;
    const at = (x: number) => p0 + (p1 - p0) * (x - s0) / width;
    if (gap(start, at(start)) >= 0) return start;
    if (gap(end, at(end)) >= 0) {
      let lo = start, hi = end;
      for (let it = 0; it < 40; it++) {
        const mid = (lo + hi) / 2;
        if (gap(mid, at(mid)) >= 0) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    if (end >= horizonDays) break;
    (start = end, seg++);
  }
  return Infinity;
}
