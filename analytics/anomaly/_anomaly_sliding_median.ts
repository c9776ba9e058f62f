/**
 * Sliding-window median in O(log w + w) per point with no allocation, for the anomaly
 * detector's level feature.
 *
 * @module
 */

/** The median of the last `size` values pushed. */
export interface SlidingMedian {
  /** Adds a value, dropping the oldest once `size` values are held. */
  push(x: number): void;
  /**
   * The upper median (the middle value, or the higher of the two middle ones) of the values
   * held; `NaN` when none is.
   */
  median(): number;
  /** Changes the window to the last `size` values (≤ the capacity), keeping the latest ones. */
  resize(size: number): void;
}

/** First index in `a[0, n)` (ascending) whose value is not below `x`. */
function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Creates a sliding median over the last `capacity` values (a smaller window via `resize`).
 *
 * Keeps the window's values sorted: each push removes the oldest by binary search and inserts
 * the new one, shifting the values between (a block move, cheap for windows of ~100 points,
 * unlike sorting the window at every point). Values must not be `NaN`.
 *
 * @param capacity Largest window (≥ 1); the window starts at this size.
 * @returns The sliding median.
 * @throws {RangeError} If `capacity` (or a `resize`) is not a positive integer within range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSlidingMedian } from "./_anomaly_sliding_median.ts";
 * const m = createSlidingMedian(3);
 * for (const x of [5, 1, 9, 2]) m.push(x);
 * assert.equal(m.median(), 2); // of 1, 9, 2
 * ```
 */
export function createSlidingMedian(capacity: number): SlidingMedian {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`Invalid capacity: ${capacity}`);
  }
  const ring = new Float64Array(capacity); // the last `capacity` values by time
  const sorted = new Float64Array(capacity); // the last `held` values, ascending
  let size = capacity, held = 0, t = 0;
  return {
    push(x: number): void {
      if (held === size) {
        const i = lowerBound(sorted, held, ring[(t - size) % capacity]!);
        sorted.copyWithin(i, i + 1, held);
        held--;
      }
      const j = lowerBound(sorted, held, x);
      sorted.copyWithin(j + 1, j, held);
      sorted[j] = x;
      held++;
      ring[t % capacity] = x;
      t++;
    },
    median: () => held > 0 ? sorted[held >> 1]! : NaN,
    resize(points: number): void {
      if (!Number.isInteger(points) || points < 1 || points > capacity) {
        throw new RangeError(`Invalid size: ${points}`);
      }
      size = points;
      held = Math.min(t, size);
      for (let k = 0; k < held; k++) sorted[k] = ring[(t - held + k) % capacity]!;
      sorted.subarray(0, held).sort();
    },
  };
}
