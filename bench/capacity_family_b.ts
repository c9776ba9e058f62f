/**
 * A second family of capacity leaks, written apart from `generateLeak` (analytics/capacity) so
 * the interval's inflation can be calibrated on one family and checked on the other: piecewise
 * linear growth (the slope changes at 1–3 breaks), multiplicative daily seasonality (≤ 12 % of
 * the level; a weekly cycle was tried and dropped: in 4–21 days it cannot be estimated, and the
 * true ETA then hinges on which weekday the trend gets there),
 * Student-t noise (ν = 3, heavy tails) proportional to the level, sampling every 10 min, 30 min
 * or 1 h, and in 40 % of the series one or two log rotations (a drop of 10–40 % of the growth so
 * far) in the first 60 % of the history. The future continues the last segment's slope; the limit
 * is the deseasonalized level 0.2–1 history spans ahead times the season's peak factor, and the
 * true ETA is when the noiseless signal (trend × season) first reaches it.
 *
 * @module
 */
import { mulberry32 } from "../lake/mod.ts";

const HOUR = 3_600_000, DAY = 24 * HOUR;

/** A generated series and its truth (the fields the capacity bench reads). */
export interface FamilyBLeak {
  kind: "piecewise" | "rotated";
  ts: Float64Array;
  values: Float64Array;
  now: number;
  threshold: number;
  trueEta: number;
}

/** A Student-t draw with ν degrees of freedom, scaled to unit variance (ν > 2). */
function studentT(random: () => number, nu: number): number {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let chi2 = 0;
  for (let k = 0; k < nu; k++) chi2 += normal() ** 2;
  return normal() / Math.sqrt(chi2 / nu) / Math.sqrt(nu / (nu - 2));
}

/**
 * Generates one leak of family B.
 *
 * @param seed Any integer; the same seed gives the same series.
 * @returns The series, the limit and the true crossing time.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateFamilyB } from "./capacity_family_b.ts";
 * const a = generateFamilyB(3);
 * assert.ok(a.trueEta > a.now && a.values.length > 50);
 * assert.deepEqual(generateFamilyB(3).values, a.values);
 * ```
 */
export function generateFamilyB(seed: number): FamilyBLeak {
  const random = mulberry32(seed * 104_729 + 3);
  const u = (lo: number, hi: number) => lo + (hi - lo) * random();
  const days = Math.round(u(4, 21));
  const step = [10 * 60_000, 30 * 60_000, HOUR][Math.floor(random() * 3)]!;
  const span = days * DAY;
  const start = Date.UTC(2026, 5, 1) + Math.floor(u(0, 168)) * HOUR;
  // Breaks of the slope, in fractions of the history; the last one leaves ≥ 30 % after it.
  const breaks = Array.from({ length: 1 + Math.floor(random() * 3) }, () => u(0.1, 0.7))
    .sort((a, b) => a - b);
  const slopes = [u(0.5, 2)];
  for (let k = 0; k < breaks.length; k++) slopes.push(slopes[k]! * u(0.6, 1.6));
  const base = u(10, 50);
  // Trend (without rotations) at fraction f of the history; slopes are per history span.
  const trend = (f: number) => {
    let y = base, from = 0;
    for (let k = 0; k <= breaks.length; k++) {
      const to = k < breaks.length ? Math.min(f, breaks[k]!) : f;
      if (to > from) y += slopes[k]! * 10 * (to - from);
      from = Math.max(from, to);
    }
    return y;
  };
  const rotated = random() < 0.4;
  const rotations = rotated
    ? Array.from({ length: 1 + Math.floor(random() * 2) }, () => u(0.1, 0.6)).sort((a, b) => a - b)
    : [];
  const drops = rotations.map((f) => u(0.1, 0.4) * (trend(f) - base));
  const daily = u(0, 0.12), phase = u(0, 2 * Math.PI);
  const season = (t: number) => 1 + daily * Math.sin((2 * Math.PI * t) / DAY + phase);
  const level = (t: number) => {
    const f = (t - start) / span;
    let y = trend(f);
    rotations.forEach((r, k) => (y -= f >= r ? drops[k]! : 0));
    return y * season(t);
  };
  const noise = u(0.005, 0.03);
  const n = Math.floor(span / step) + 1;
  const ts = new Float64Array(n), values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = start + i * step;
    values[i] = level(ts[i]!) * (1 + noise * studentT(random, 3));
  }
  const now = ts[n - 1]!;
  const reach = u(0.2, 1);
  // The limit: the deseasonalized level `reach` history spans ahead, times the season's peak
  // factor, so the crossing is where the trend gets there (at a peak), not at tomorrow's peak.
  const threshold = (level(now) / season(now) + slopes.at(-1)! * 10 * reach) *
    (1 + daily);
  let trueEta = now;
  while (level(trueEta) < threshold && trueEta < now + 10 * span) trueEta += 60_000;
  return { kind: rotated ? "rotated" : "piecewise", ts, values, now, threshold, trueEta };
}
