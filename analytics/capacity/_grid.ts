/**
 * Private helpers of the capacity analysis: a nice step for a range, a regular time grid,
 * rounding for compact JSON, and ids.
 *
 * @module
 */

const MIN = 60_000;
const niceSteps = [
  MIN,
  2 * MIN,
  5 * MIN,
  10 * MIN,
  15 * MIN,
  20 * MIN,
  30 * MIN,
  60 * MIN,
  120 * MIN,
  180 * MIN,
  360 * MIN,
  720 * MIN,
  1440 * MIN,
];

/** The smallest nice step (1 min … 1 d) giving at most `maxPoints` points over `spanMs`. */
export function niceStep(spanMs: number, maxPoints: number): number {
  const raw = spanMs / Math.max(1, maxPoints);
  return niceSteps.find((s) => s >= raw) ?? Math.ceil(raw / (1440 * MIN)) * 1440 * MIN;
}

/** A series on a regular grid `from, from + step, …` (< `to`), `NaN` where no bucket exists. */
export function regularize(
  ts: Float64Array,
  values: Float64Array,
  from: number,
  to: number,
  step: number,
): { ts: Float64Array; values: Float64Array } {
  const start = Math.floor(from / step) * step;
  const n = Math.max(0, Math.ceil((to - start) / step));
  const gridTs = new Float64Array(n);
  const gridValues = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) gridTs[i] = start + i * step;
  for (let i = 0; i < ts.length; i++) {
    const k = Math.floor((ts[i]! - start) / step);
    if (k >= 0 && k < n) gridValues[k] = values[i]!;
  }
  return { ts: gridTs, values: gridValues };
}

/** Drops trailing and leading grid points without data, keeping the series' real extent. */
export function trim(grid: { ts: Float64Array; values: Float64Array }): {
  ts: Float64Array;
  values: Float64Array;
} {
  let lo = 0;
  let hi = grid.values.length;
  while (lo < hi && !Number.isFinite(grid.values[lo]!)) lo++;
  while (hi > lo && !Number.isFinite(grid.values[hi - 1]!)) hi--;
  return { ts: grid.ts.subarray(lo, hi), values: grid.values.subarray(lo, hi) };
}

/**
 * The grid with its first point at `first` (the series' first sample) when that falls inside the
 * point's bucket: a bucket starts up to a step before its first sample, and a chart drawn from
 * there shows data a minute before there was any.
 */
export function startAtFirstSample(
  grid: { ts: Float64Array; values: Float64Array },
  first: number,
  step: number,
): { ts: Float64Array; values: Float64Array } {
  const start = grid.ts[0];
  if (start === undefined || !(first > start && first < start + step)) return grid;
  const ts = grid.ts.slice();
  ts[0] = first;
  return { ts, values: grid.values };
}

/** A number rounded to 5 significant digits (null when not finite), for compact JSON. */
export function round(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Number(v.toPrecision(5));
}

/** Rounds every element; see {@linkcode round}. */
export function roundAll(values: ArrayLike<number | null>): (number | null)[] {
  return Array.from(values, (v) => round(v));
}

/** A slug for ids: lower case letters, digits and dashes. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "x";
}
