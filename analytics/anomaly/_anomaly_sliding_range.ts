/**
 * Sliding-window minimum and maximum in O(1) amortized time per point, for the anomaly
 * detector's record features.
 *
 * @module
 */

/** The minimum and maximum of the last `size` values pushed. */
export interface SlidingRange {
  /** Adds a value, dropping the oldest once `size` values are held. */
  push(x: number): void;
  /** Smallest value in the window (`NaN` when empty). */
  min(): number;
  /** Largest value in the window (`NaN` when empty). */
  max(): number;
  /** How many values have been pushed in all. */
  count(): number;
}

/**
 * Creates a sliding minimum/maximum over the last `size` values.
 *
 * Monotonic-deque (ascending minima) algorithm: Lemire 2006, "Streaming maximum-minimum filter
 * using no more than three comparisons per element". Deques live in fixed typed arrays, so
 * `push` allocates nothing.
 *
 * @param size Window length (≥ 1).
 * @returns The sliding range.
 * @throws {RangeError} If `size` is not a positive integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSlidingRange } from "./_anomaly_sliding_range.ts";
 * const r = createSlidingRange(2);
 * for (const x of [5, 1, 3]) r.push(x);
 * assert.deepEqual([r.min(), r.max()], [1, 3]);
 * ```
 */
export function createSlidingRange(size: number): SlidingRange {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Invalid size: ${size}`);
  const values = new Float64Array(size);
  const maxQ = new Float64Array(size); // times, in a ring
  const minQ = new Float64Array(size);
  let maxHead = 0, maxLen = 0, minHead = 0, minLen = 0, t = 0;
  const at = (time: number) => values[time % size]!;
  return {
    push(x: number): void {
      values[t % size] = x;
      if (maxLen > 0 && maxQ[maxHead]! <= t - size) (maxHead = (maxHead + 1) % size, maxLen--);
      if (minLen > 0 && minQ[minHead]! <= t - size) (minHead = (minHead + 1) % size, minLen--);
      while (maxLen > 0 && at(maxQ[(maxHead + maxLen - 1) % size]!) <= x) maxLen--;
      maxQ[(maxHead + maxLen++) % size] = t;
      while (minLen > 0 && at(minQ[(minHead + minLen - 1) % size]!) >= x) minLen--;
      minQ[(minHead + minLen++) % size] = t;
      t++;
    },
    min: () => minLen > 0 ? at(minQ[minHead]!) : NaN,
    max: () => maxLen > 0 ? at(maxQ[maxHead]!) : NaN,
    count: () => t,
  };
}
