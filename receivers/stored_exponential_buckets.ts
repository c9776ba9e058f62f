/**
 * How an OTLP exponential histogram's buckets are stored: as cumulative `le` buckets like an
 * explicit histogram's, at a scale low enough that a series keeps at most
 * {@linkcode MAX_EXPONENTIAL_BUCKETS} bucket series. Lowering the scale by one merges pairs of
 * adjacent buckets exactly (bucket `i` of scale `s` is half of bucket `⌊i/2⌋` of scale `s−1`),
 * so the stored buckets are exact sums of the sent ones, only coarser. The layout (scale and
 * index ranges) a series was stored with is kept and only widened or coarsened, so the series'
 * bucket bounds stay the same from one export to the next once its range is seen.
 *
 * @module
 */
import type { OtlpExpHistogramPoint } from "./otlp_decode.ts";

/** Most bucket series stored per exponential histogram series (bounds including `+Inf`, the
 * zero bucket and the two lower edges). */
export const MAX_EXPONENTIAL_BUCKETS = 40;

/** The bucket layout a series is stored with: scale and inclusive index ranges. */
export interface ExponentialLayout {
  scale: number;
  /** Positive buckets' indices, none without positive counts. */
  positive?: readonly [number, number];
  /** Negative buckets' indices (by magnitude), none without negative counts. */
  negative?: readonly [number, number];
}

type Point = Pick<
  OtlpExpHistogramPoint,
  "scale" | "zeroCount" | "zeroThreshold" | "positive" | "negative"
>;

/**
 * The upper bound of bucket `index` at `scale`: base^(index+1) with base = 2^(2^−scale), computed
 * as 2^((index+1)·2^−scale) so a bound is the same number at every scale that has it.
 *
 * @param index Bucket index (may be negative: bounds below 1).
 * @param scale The scale.
 * @returns The bound (a magnitude; negative buckets use its negation).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exponentialBound } from "./stored_exponential_buckets.ts";
 * assert.equal(exponentialBound(0, 0), 2);
 * assert.equal(exponentialBound(-3, 0), 0.25);
 * assert.equal(exponentialBound(1, 1), 2); // √2² : bucket 1 of scale 1 ends where bucket 0 of scale 0 does
 * ```
 */
export function exponentialBound(index: number, scale: number): number {
  return 2 ** ((index + 1) * 2 ** -scale);
}

/**
 * The index at a lower scale of the bucket holding bucket `index` of scale `from`.
 *
 * @param index Bucket index at `from`.
 * @param from Its scale.
 * @param to The lower scale (≤ from).
 * @returns ⌊index / 2^(from−to)⌋.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downscaleIndex } from "./stored_exponential_buckets.ts";
 * assert.equal(downscaleIndex(5, 3, 2), 2);
 * assert.equal(downscaleIndex(-1, 3, 1), -1);
 * assert.equal(downscaleIndex(-5, 3, 1), -2);
 * ```
 */
export function downscaleIndex(index: number, from: number, to: number): number {
  return Math.floor(index / 2 ** (from - to));
}

function extent(
  b: { offset?: number; bucketCounts?: number[] } | undefined,
): [number, number] | undefined {
  const counts = b?.bucketCounts ?? [];
  let first = -1, last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! > 0) {
      if (first < 0) first = i;
      last = i;
    }
  }
  const off = b?.offset ?? 0;
  return first < 0 ? undefined : [off + first, off + last];
}

function shift(
  r: readonly [number, number] | undefined,
  from: number,
  to: number,
): [number, number] | undefined {
  return r && [downscaleIndex(r[0], from, to), downscaleIndex(r[1], from, to)];
}

function union(
  a: readonly [number, number] | undefined,
  b: readonly [number, number] | undefined,
): [number, number] | undefined {
  if (!a) return b && [b[0], b[1]];
  if (!b) return [a[0], a[1]];
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

const width = (r: readonly [number, number] | undefined) => r ? r[1] - r[0] + 1 : 0;

/**
 * The layout to store a point with: the previous layout of its series widened to the point's
 * populated buckets, at the lower of the two scales, then lowered further until the buckets
 * fit: at most `maxBuckets − 4` exponential buckets (the other four series are the negative and
 * positive lower edges, the zero bucket and `+Inf`).
 *
 * @param p The data point.
 * @param previous The series' layout so far; default none.
 * @param maxBuckets Most bucket series per series; default {@linkcode MAX_EXPONENTIAL_BUCKETS}.
 * @returns The layout.
 * @throws {RangeError} If `maxBuckets` is below 8 (the least every range fits in).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exponentialLayout } from "./stored_exponential_buckets.ts";
 * // 160 buckets at scale 3 become 20 at scale 0
 * const p = { scale: 3, positive: { offset: 0, bucketCounts: new Array(160).fill(1) } };
 * assert.deepEqual(exponentialLayout(p), { scale: 0, positive: [0, 19] });
 * assert.deepEqual(exponentialLayout(p, undefined, 12), { scale: -2, positive: [0, 4] });
 * ```
 */
export function exponentialLayout(
  p: Point,
  previous?: ExponentialLayout,
  maxBuckets = MAX_EXPONENTIAL_BUCKETS,
): ExponentialLayout {
  if (!(Number.isInteger(maxBuckets) && maxBuckets >= 8)) {
    throw new RangeError(`Invalid maxBuckets: ${maxBuckets} (at least 8)`);
  }
  const ps = p.scale ?? 0;
  let scale = Math.min(ps, previous?.scale ?? ps);
  let pos = union(
    shift(extent(p.positive), ps, scale),
    previous && shift(previous.positive, previous.scale, scale),
  );
  let neg = union(
    shift(extent(p.negative), ps, scale),
    previous && shift(previous.negative, previous.scale, scale),
  );
  // ranges shrink to at most [-1, 0] each as the scale falls, so this ends
  while (width(pos) + width(neg) > maxBuckets - 4) {
    pos = shift(pos, scale, scale - 1);
    neg = shift(neg, scale, scale - 1);
    scale--;
  }
  return { scale, ...(pos ? { positive: pos } : {}), ...(neg ? { negative: neg } : {}) };
}

function countsAt(
  b: { offset?: number; bucketCounts?: number[] } | undefined,
  from: number,
  range: readonly [number, number],
  to: number,
): number[] {
  const out = new Array<number>(range[1] - range[0] + 1).fill(0);
  const off = b?.offset ?? 0;
  (b?.bucketCounts ?? []).forEach((c, i) => {
    if (!(c > 0)) return;
    // a count outside the layout (it was made from this point, so none) goes to the nearest end
    const j = Math.min(Math.max(downscaleIndex(off + i, from, to), range[0]), range[1]);
    out[j - range[0]]! += c;
  });
  return out;
}

/**
 * A point's buckets in a layout, as cumulative `le` buckets (ascending bounds, the last
 * `Infinity`): for negative values a lower edge (count 0) then each bucket's upper bound (the
 * magnitudes' lower bound, negated); the zero bucket at `le` = the zero threshold (0 when
 * unset); for positive values a lower edge (count 0, so the lowest bucket interpolates from its
 * own lower bound, not from 0) then each bucket's upper bound; then `+Inf`. A bound that would
 * not rise (a zero threshold above the lowest edge) adds its count to the bound before it; one
 * that overflows (very low scales) adds it to the next.
 *
 * @param p The data point (its scale at or above the layout's).
 * @param layout From {@linkcode exponentialLayout}.
 * @returns Bounds and cumulative counts.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storedExponentialBuckets } from "./stored_exponential_buckets.ts";
 * const p = { scale: 1, zeroCount: 1, positive: { offset: 0, bucketCounts: [1, 2, 3] } };
 * // at scale 0: buckets (1,2] = 1+2 and (2,4] = 3
 * assert.deepEqual(storedExponentialBuckets(p, { scale: 0, positive: [0, 1] }), {
 *   bounds: [0, 1, 2, 4, Infinity],
 *   cumulative: [1, 1, 4, 7, 7],
 * });
 * ```
 */
export function storedExponentialBuckets(
  p: Point,
  layout: ExponentialLayout,
): { bounds: number[]; cumulative: number[] } {
  const ps = p.scale ?? 0, s = layout.scale;
  const entries: [number, number][] = [];
  if (layout.negative) {
    const [lo, hi] = layout.negative;
    const counts = countsAt(p.negative, ps, layout.negative, s);
    entries.push([-exponentialBound(hi, s), 0]);
    for (let i = hi; i >= lo; i--) entries.push([-exponentialBound(i - 1, s), counts[i - lo]!]);
  }
  entries.push([p.zeroThreshold ?? 0, p.zeroCount ?? 0]);
  if (layout.positive) {
    const [lo, hi] = layout.positive;
    const counts = countsAt(p.positive, ps, layout.positive, s);
    entries.push([exponentialBound(lo - 1, s), 0]);
    for (let i = lo; i <= hi; i++) entries.push([exponentialBound(i, s), counts[i - lo]!]);
  }
  entries.push([Infinity, 0]);
  const bounds: number[] = [], cumulative: number[] = [];
  let acc = 0;
  entries.forEach(([le, c], i) => {
    acc += c;
    if (!Number.isFinite(le) && i < entries.length - 1) return;
    if (bounds.length > 0 && !(le > bounds[bounds.length - 1]!)) {
      cumulative[cumulative.length - 1] = acc;
      return;
    }
    bounds.push(le);
    cumulative.push(acc);
  });
  return { bounds, cumulative };
}
