/**
 * Quantiles and Apdex from cumulative histogram buckets (the stored `h_bucket_per_second` series,
 * label `bucket` = the upper bound `le`), interpolated linearly within a bucket as Prometheus'
 * `histogram_quantile` does.
 *
 * @module
 */

/** One cumulative bucket: events per second at or below `le` (`Infinity` for `+Inf`). */
export interface Bucket {
  le: number;
  rate: number;
}

/**
 * Parses a `bucket` label value (`0.25`, `+Inf`).
 *
 * @param text The label value.
 * @returns The bound, or NaN when it is not a number.
 */
export function parseBound(text: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  const n = Number(text);
  return text.trim() === "" ? NaN : n;
}

/**
 * The q-quantile of cumulative buckets: rank q × total, found in the first bucket whose
 * cumulative rate reaches it and interpolated linearly within it (the lowest bucket starts at
 * 0, or is its own bound when that is not above 0, as in `histogram_quantile`); a rank in the
 * `+Inf` bucket gives the highest finite bound.
 *
 * @param buckets Cumulative buckets, any order.
 * @param q Quantile in [0, 1].
 * @returns The quantile, or NaN when there are no events.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketQuantile } from "./bucket_quantile.ts";
 * const b = [{ le: 0.1, rate: 50 }, { le: 0.2, rate: 100 }, { le: Infinity, rate: 100 }];
 * assert.equal(bucketQuantile(b, 0.5), 0.1);
 * assert.ok(Math.abs(bucketQuantile(b, 0.75) - 0.15) < 1e-12);
 * ```
 */
export function bucketQuantile(buckets: readonly Bucket[], q: number): number {
  const b = sorted(buckets);
  const total = b.length ? b[b.length - 1]!.rate : 0;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let prevLe = 0, prevRate = 0;
  for (const [i, { le, rate }] of b.entries()) {
    if (rate >= rank) {
      // a negative-valued histogram's lowest bucket has no lower edge to interpolate from
      if (i === 0 && le <= 0) return le;
      if (le === Infinity) return prevLe;
      if (rate === prevRate) return le;
      return prevLe + (le - prevLe) * (rank - prevRate) / (rate - prevRate);
    }
    prevLe = le === Infinity ? prevLe : le;
    prevRate = rate;
  }
  return prevLe;
}

/**
 * Events per second at or below `x`, interpolated linearly within its bucket. The lowest bucket
 * starts at 0, or at its own bound when that is not above 0 (as {@linkcode bucketQuantile}
 * takes it): nothing lies below that, so a lower `x` (a bound another series has, summing
 * histograms with negative bounds) gives 0.
 *
 * @param buckets Cumulative buckets.
 * @param x The bound.
 * @returns The cumulative rate at `x`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateAtOrBelow } from "./bucket_quantile.ts";
 * const b = [{ le: 0, rate: 4 }, { le: 1, rate: 10 }];
 * assert.equal(rateAtOrBelow(b, 0.5), 7);
 * assert.equal(rateAtOrBelow(b, -1), 0);
 * ```
 */
export function rateAtOrBelow(buckets: readonly Bucket[], x: number): number {
  let prevLe: number | undefined, prevRate = 0;
  for (const { le, rate } of sorted(buckets)) {
    if (x <= le) {
      if (x === le) return rate;
      if (le === Infinity) return prevRate;
      const lower = prevLe ?? Math.min(0, le);
      if (x <= lower) return prevRate;
      return prevRate + (rate - prevRate) * (x - lower) / (le - lower);
    }
    prevLe = le, prevRate = rate;
  }
  return prevRate;
}

/** Apdex counts: shares of requests satisfied (≤ T), tolerating (≤ 4T) and frustrated. */
export interface Apdex {
  /** (satisfied + tolerating / 2) / total, in [0, 1]. */
  score: number;
  /** The threshold T, in the histogram's unit. */
  threshold: number;
  satisfied: number;
  tolerating: number;
  frustrated: number;
}

/**
 * Apdex from cumulative buckets (Apdex Alliance: satisfied ≤ T, tolerating ≤ 4T). A bound between
 * bucket edges is interpolated linearly, so choose T on a bucket edge for an exact score.
 *
 * @param buckets Cumulative buckets.
 * @param threshold T, in the histogram's unit.
 * @returns The score and shares, or null when there are no events.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketApdex } from "./bucket_quantile.ts";
 * const b = [{ le: 0.5, rate: 60 }, { le: 2, rate: 90 }, { le: Infinity, rate: 100 }];
 * assert.equal(bucketApdex(b, 0.5)?.score, 0.75);
 * ```
 */
export function bucketApdex(buckets: readonly Bucket[], threshold: number): Apdex | null {
  const b = sorted(buckets);
  const total = b.length ? b[b.length - 1]!.rate : 0;
  if (!(total > 0)) return null;
  const sat = Math.min(total, rateAtOrBelow(b, threshold));
  const tol = Math.max(0, Math.min(total, rateAtOrBelow(b, 4 * threshold)) - sat);
  return {
    score: (sat + tol / 2) / total,
    threshold,
    satisfied: sat / total,
    tolerating: tol / total,
    frustrated: Math.max(0, 1 - (sat + tol) / total),
  };
}

function sorted(buckets: readonly Bucket[]): Bucket[] {
  return buckets.filter((b) => Number.isFinite(b.rate) && !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
}
